# Shared set-up for scripts/run and scripts/test; sourced, not run.
# Idempotent: system packages are installed only when a tool or library is missing, and the virtual
# environment is reinstalled only when pyproject.toml (or the extras asked for) changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

# tool -> Debian package that provides it
declare -A SYSTEM_TOOLS=(
    [softhsm2-util]=softhsm2
    [pkcs11-tool]=opensc
    [pdfsig]=poppler-utils
    [certutil]=libnss3-tools
    [ip]=iproute2          # the air-gap suite brings an interface up in a network namespace
    [unshare]=util-linux
)

ensure_system_packages() {
    local missing=()
    local tool
    for tool in "${!SYSTEM_TOOLS[@]}"; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("${SYSTEM_TOOLS[$tool]}")
    done
    if [ ! -e /usr/lib/softhsm/libsofthsm2.so ] && [ -z "${KEYCEREMONY_PKCS11_MODULE:-}" ]; then
        missing+=(softhsm2)
    fi
    # Transcripts print names in any script with DejaVu Sans (else Latin-1 only).
    [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
    install_packages "${missing[@]}"
}

# Only ./scripts/test needs these: the independent tools the tests check our output with, and
# the tokens tests/tokens runs on besides SoftHSM (tpm2-pkcs11 on a software TPM, swtpm behind
# tpm2-abrmd on a private D-Bus; NSS softokn through p11-kit's proxy).
# tool or file -> Debian package that provides it
declare -A TEST_SYSTEM_FILES=(
    [sqlite3]=sqlite3
    [openssl]=openssl
    [swtpm]=swtpm
    [tpm2-abrmd]=tpm2-abrmd
    [tpm2_getrandom]=tpm2-tools
    [tpm2_ptool]=libtpm2-pkcs11-tools
    [dbus-daemon]=dbus-daemon
    [/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so]=libtpm2-pkcs11-1
    [/usr/lib/x86_64-linux-gnu/libtss2-tcti-tabrmd.so.0]=libtss2-tcti-tabrmd0
    [/usr/lib/x86_64-linux-gnu/libtss2-tcti-swtpm.so.0]=libtss2-tcti-swtpm0
    [/usr/lib/x86_64-linux-gnu/libsoftokn3.so]=libnss3
    [/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so]=p11-kit-modules
)

ensure_test_system_packages() {
    local missing=()
    local item
    for item in "${!TEST_SYSTEM_FILES[@]}"; do
        if [[ "$item" == /* ]]; then
            [ -e "$item" ] || missing+=("${TEST_SYSTEM_FILES[$item]}")
        else
            command -v "$item" >/dev/null 2>&1 || missing+=("${TEST_SYSTEM_FILES[$item]}")
        fi
    done
    install_packages "${missing[@]}"
}

# The Debian packages of the libraries PySide6's display plugins cannot find (ldd's "not
# found"), from scripts/qt-display-libraries.txt. Needs the virtual environment (the plugins
# come with PySide6), so it runs after ensure_venv.
ensure_display_libraries() {
    local table="$ROOT/scripts/qt-display-libraries.txt"
    local plugins
    plugins="$("$VENV/bin/python" -c 'import importlib.util as u
print(u.find_spec("PySide6").submodule_search_locations[0] + "/Qt/plugins")')"
    local missing=() kind pattern soname package
    local -A package_of=()
    while read -r kind soname package; do
        [ "$kind" = library ] && package_of[$soname]=$package
    done <"$table"
    while read -r soname; do
        if [ -n "${package_of[$soname]:-}" ]; then
            missing+=("${package_of[$soname]}")
        else
            echo "keyceremony: the Qt display plugins need $soname, which $table does not map to a Debian package; add it there" >&2
            exit 2
        fi
    done < <(while read -r kind pattern _; do
                 [ "$kind" = plugin ] || continue
                 for plugin in "$plugins"/$pattern; do
                     [ -e "$plugin" ] && ldd "$plugin"
                 done
             done <"$table" | awk '/=> not found/ {print $1}' | sort -u)
    install_packages "${missing[@]}"
}

# Install Debian packages (none: nothing to do): with apt as root, else print the command.
install_packages() {
    [ $# -eq 0 ] && return 0
    local packages
    mapfile -t packages < <(printf '%s\n' "$@" | sort -u)
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing system packages: ${packages[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    else
        echo "keyceremony needs system packages that are missing; run: sudo apt-get install -y ${packages[*]}" >&2
        exit 2
    fi
}

ensure_venv() {
    local extras="$1"   # "" or "test"
    local spec="$ROOT"
    [ -n "$extras" ] && spec="$ROOT[$extras]"
    local stamp="$VENV/.keyceremony-stamp"
    local want
    want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1) extras=$extras"
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    # A test install satisfies a plain run too, so never downgrade it.
    if [ -f "$stamp" ]; then
        local have
        have="$(cat "$stamp")"
        if [ "$have" = "$want" ] || { [ -z "$extras" ] && [ "${have% *}" = "${want% *}" ]; }; then
            return 0
        fi
    fi
    echo "Installing keyceremony into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
    echo "$want" >"$stamp"
}

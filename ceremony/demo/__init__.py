"""The rehearsal demo on throwaway SoftHSM tokens: three ceremonies, or every type (``--all``)."""

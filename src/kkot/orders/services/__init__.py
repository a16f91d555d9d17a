"""Order writes. Import from the submodules: cart, quote, checkout, payments, lifecycle, claims, settlement."""

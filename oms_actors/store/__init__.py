"""Redis persistence: key layout, codecs, and one module per aggregate."""

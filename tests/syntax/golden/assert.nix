x: assert x; x

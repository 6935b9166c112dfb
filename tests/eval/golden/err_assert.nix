let check = x: assert x > 10; x; in check 3

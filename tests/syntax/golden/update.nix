a: b: a // b // a

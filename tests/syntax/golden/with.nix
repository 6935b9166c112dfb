x: with x; a

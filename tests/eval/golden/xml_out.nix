# flags: --xml
{ a = 1; b = [ true null "x" ]; f = { x, y ? 1 }: x; }

# flags: --json --strict
{ a = 1; b = [ true null "x\n" 1.5 ]; c = { d = ./lib; }; e = "é"; }

# flags: --strict
let a = { x = 1; }; l = [ 1 2 ]; cyc = { self = cyc; }; in { inherit a l cyc; b = a; m = l; e = {}; f = {}; }

x: y: { inherit x y; inherit (x) a b; }

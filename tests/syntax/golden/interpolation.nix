x: "pre ${x} mid ${toString x} post"

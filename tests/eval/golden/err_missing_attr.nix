# flags: --show-trace
let
  pkgs = { hello = 1; world = 2; };
  get = name: pkgs.${name};
in get "helo"

# flags: --show-trace
let lib = import ./lib; in lib.answer + (import ./lib/bad.nix)

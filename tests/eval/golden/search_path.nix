# flags: -I mylib=lib -I lib --strict
[ (import <mylib>).answer (builtins.typeOf <mylib/default.nix>) ]

# A 1,000-derivation graph for bench/build_bench.py: 999 nodes in a binary
# tree (each depends on its parent) and one top derivation depending on all.
# `salt` makes every benchmark run's derivations new.
{ salt ? "0" }:
let
  node = i: deps: derivation {
    name = "node-${toString i}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo ${salt} ${toString i} ${toString deps} > $out" ];
  };
  nodes = builtins.genList (i: node i (if i == 0 then [ ] else [ (builtins.elemAt nodes ((i - 1) / 2)) ])) 999;
in
node 1000 nodes

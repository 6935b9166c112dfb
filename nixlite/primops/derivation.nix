# nixlite's `derivation`, written in Nix over the primop `derivationStrict`.
#
# derivationStrict writes the .drv file and returns only { drvPath; <output> = path; }.
# This wrapper builds the value users know: the attributes given, plus outPath,
# drvPath, type = "derivation" and outputName, once per output; each output's
# value is reachable from every other as `drv.<output>`, and `drv.all` lists
# them. It has the shape of Nix's own wrapper so that laziness, printed values
# and error positions come out the same: nothing is written to the store until
# drvPath or an outPath is needed.

drvAttrs @ { outputs ? [ "out" ], ... }:

let

  strict = derivationStrict drvAttrs;

  commonAttrs = drvAttrs // (builtins.listToAttrs outputsList) //
    { all = map (x: x.value) outputsList; inherit drvAttrs; };

  outputToAttrListElement = outputName: {
    name = outputName;
    value = commonAttrs // { outPath = builtins.getAttr outputName strict; drvPath = strict.drvPath;
      type = "derivation"; inherit outputName; };
  };

  outputsList = map outputToAttrListElement outputs;

in (builtins.head outputsList).value

# Version string helpers (nixpkgs' lib.versions): major, minor, patch,
# majorMinor, splitVersion.
{ lib }:
rec {
  splitVersion = builtins.splitVersion;
  major = v: builtins.elemAt (splitVersion v) 0;
  minor = v: builtins.elemAt (splitVersion v) 1;
  patch = v: builtins.elemAt (splitVersion v) 2;
  majorMinor = v: builtins.concatStringsSep "." (lib.lists.take 2 (splitVersion v));
}

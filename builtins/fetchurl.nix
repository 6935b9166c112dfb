# fetchurl: a file downloaded by the `builtin:fetchurl` builder, checked
# against its hash (a fixed-output derivation).
#
# nixpkgs' fetchurl runs curl; nixlite's uses the builder Nix itself ships,
# with exactly the derivation of Nix's `<nix/fetchurl.nix>` (same drvPath),
# and accepts nixpkgs' arguments: url or urls (the first is used), hash (SRI)
# or sha256/sha512/sha1/md5, name, executable, and
# downloadToTemp/postFetch refused (no shell runs after the download).
{ lib }:
args@{ url ? builtins.head args.urls
, urls ? [ ]
, hash ? ""
, md5 ? ""
, sha1 ? ""
, sha256 ? ""
, sha512 ? ""
, name ? baseNameOf (toString url)
, executable ? false
, unpack ? false
, ...
}:
let
  # The first hash given, in Nix's order of preference, with its algorithm
  # ("" for SRI, whose prefix names it).
  chosen = lib.findFirst (h: h.value != "") { value = sha256; algo = "sha256"; } [
    { value = hash; algo = ""; }
    { value = sha512; algo = "sha512"; }
    { value = sha1; algo = "sha1"; }
    { value = md5; algo = "md5"; }
  ];
in
assert lib.assertMsg (!(args ? postFetch) && !(args ? downloadToTemp))
  "fetchurl: postFetch and downloadToTemp need a shell after the download, which nixlite's builtin:fetchurl does not run";
derivation {
  builder = "builtin:fetchurl";
  outputHashMode = if unpack || executable then "recursive" else "flat";
  inherit name url executable unpack;
  system = "builtin";
  preferLocalBuild = true;
  impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
  urls = [ url ];
  outputHashAlgo = chosen.algo;
  outputHash = chosen.value;
}

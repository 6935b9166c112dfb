# The trivial builders of nixpkgs (pkgs/build-support/trivial-builders):
# runCommand and friends, writeText and friends, symlinkJoin, buildEnv,
# linkFarm, writeReferencesToFile — same names, arguments and derivation
# attributes (buildCommand passed as a file, preferLocalBuild, …).
{ lib, stdenv, runtimeShell }:
rec {
  # runCommandWith { name, stdenv ? stdenvNoCC, runLocal ? false, derivationArgs ? {} } buildCommand
  runCommandWith = { stdenv ? stdenvNoCC, runLocal ? false, derivationArgs ? { }, name }:
    buildCommand:
    stdenv.mkDerivation ({
      enableParallelBuilding = true;
      inherit buildCommand name;
      passAsFile = [ "buildCommand" ] ++ (derivationArgs.passAsFile or [ ]);
    }
    // lib.optionalAttrs runLocal { preferLocalBuild = true; allowSubstitutes = false; }
    // builtins.removeAttrs derivationArgs [ "passAsFile" ]);
  stdenvNoCC = stdenv;

  runCommand = name: env: runCommandWith { stdenv = stdenvNoCC; runLocal = false; inherit name; derivationArgs = env; };
  runCommandLocal = name: env: runCommandWith { stdenv = stdenvNoCC; runLocal = true; inherit name; derivationArgs = env; };
  runCommandNoCC = runCommand;
  runCommandNoCCLocal = runCommandLocal;
  runCommandCC = name: env: runCommandWith { inherit stdenv; runLocal = false; inherit name; derivationArgs = env; };

  # A file (or `destination` inside a directory) holding `text`.
  writeTextFile = { name, text, executable ? false, destination ? "", checkPhase ? "", meta ? { }, allowSubstitutes ? false, preferLocalBuild ? true }:
    runCommand name {
      inherit text executable checkPhase meta allowSubstitutes preferLocalBuild;
      passAsFile = [ "text" ];
    } ''
      target=$out${lib.escapeShellArg destination}
      mkdir -p "$(dirname "$target")"

      if [ -e "$textPath" ]; then
        mv "$textPath" "$target"
      else
        echo -n "$text" > "$target"
      fi

      eval "$checkPhase"

      (test -n "$executable" && chmod +x "$target") || true
    '';

  writeText = name: text: writeTextFile { inherit name text; };
  writeTextDir = path: text: writeTextFile {
    inherit text;
    name = builtins.baseNameOf path;
    destination = "/${path}";
  };
  writeScript = name: text: writeTextFile { inherit name text; executable = true; };
  writeScriptBin = name: text: writeTextFile {
    inherit name text;
    executable = true;
    destination = "/bin/${name}";
  };
  writeShellScript = name: text: shellScriptFile { inherit name text; };
  writeShellScriptBin = name: text: shellScriptFile { inherit name text; destination = "/bin/${name}"; };
  # A script run by the host-tools bash whose syntax is checked when built.
  shellScriptFile = { name, text, destination ? "" }: writeTextFile {
    inherit name destination;
    executable = true;
    text = ''
      #!${runtimeShell}
      ${text}
    '';
    checkPhase = ''
      ${stdenv.shellDryRun} "$target"
    '';
  };

  # One tree of symlinks to the files of all `paths` (the first path wins
  # where two have the same file), as nixpkgs does with lndir.
  symlinkJoin = args_@{ name, paths, preferLocalBuild ? true, allowSubstitutes ? false, postBuild ? "", ... }:
    let
      args = builtins.removeAttrs args_ [ "name" "postBuild" ] // {
        inherit preferLocalBuild allowSubstitutes;
        passAsFile = [ "paths" ];
      };
    in
    runCommand name args ''
      mkdir -p $out
      for i in $(cat $pathsPath); do
        ${linkTree} "$i" "$out"
      done
      ${postBuild}
    '';

  # nixpkgs' buildEnv, reduced: the `pathsToLink` subtrees of `paths`
  # symlinked into one tree.
  buildEnv = { name, paths, pathsToLink ? [ "/" ], postBuild ? "", ignoreCollisions ? false
             , extraOutputsToInstall ? [ ], extraPrefix ? "", meta ? { }, passthru ? { }, ... }:
    runCommand name {
      inherit meta passthru extraPrefix ignoreCollisions;
      paths = map (p: lib.getOutput "out" p) paths;
      pathsToLink = pathsToLink;
      preferLocalBuild = true;
      allowSubstitutes = false;
      passAsFile = [ "paths" ];
    } ''
      mkdir -p "$out$extraPrefix"
      for i in $(cat $pathsPath); do
        for sub in $pathsToLink; do
          if [ -d "$i$sub" ]; then
            mkdir -p "$out$extraPrefix$sub"
            ${linkTree} "$i$sub" "$out$extraPrefix$sub"
          fi
        done
      done
      ${postBuild}
    '';

  # `linkTree SRC DEST`: merge SRC into DEST, directories recreated (writable),
  # files and symlinks as symlinks into SRC, existing names kept.
  # (cp -s needs absolute sources; store paths are.)
  linkTree = "cp -rsnT --no-preserve=mode --";

  linkFarm = name: entries: runCommand name { preferLocalBuild = true; allowSubstitutes = false; } ''
    mkdir -p $out
    cd $out
    ${lib.concatMapStrings (x: ''
      mkdir -p "$(dirname ${lib.escapeShellArg x.name})"
      ln -s ${lib.escapeShellArg "${x.path}"} ${lib.escapeShellArg x.name}
    '') (if builtins.isAttrs entries then lib.mapAttrsToList lib.nameValuePair entries else entries)}
  '';
  linkFarmFromDrvs = name: drvs:
    linkFarm name (map (drv: { name = drv.name; path = drv; }) drvs);

  # The runtime closure of `path`, one store path per line, sorted.
  writeReferencesToFile = path: runCommand "runtime-deps" {
    exportReferencesGraph = [ "graph" path ];
  } ''
    touch $out
    while read path; do
      echo $path >> $out
      read dummy
      read nrRefs
      for ((i = 0; i < nrRefs; i++)); do read ref; done
    done < graph
    sort -o $out $out
  '';

  emptyFile = runCommand "empty-file" {
    outputHashAlgo = "sha256";
    outputHashMode = "recursive";
    outputHash = "0ip26j2h11n1kgkz36rl4akv694yz65hr72q4kv4b3lxcbi65b3p";
    preferLocalBuild = true;
  } "touch $out";
  emptyDirectory = runCommand "empty-directory" {
    outputHashAlgo = "sha256";
    outputHashMode = "recursive";
    outputHash = "0sjjj9z1dhilhpc8pq4154czrb79z9cm044jvn75kxcjv6v5l2m5";
    preferLocalBuild = true;
  } "mkdir -p $out";
}

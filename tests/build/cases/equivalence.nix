# Derivations with builder /bin/sh that need nothing outside the store but
# the host's /bin and /usr: `nixlite build` must give each the same output
# path and NAR hash (and references) as `nix-build --option sandbox false`.
let
  sh = script: args: derivation ({
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" ("export PATH=/usr/bin:/bin\n" + script) ];
  } // args);
  dep = sh "echo dependency > $out" { name = "dep"; };
  dep2 = sh "mkdir $out; echo ${dep} > $out/ref" { name = "dep2"; };
in {
  text = sh "echo hello > $out" { name = "text"; };

  tree = sh ''
    mkdir -p $out/bin $out/share/doc "$out/with space"
    printf '#!/bin/sh\necho hi\n' > $out/bin/hello; chmod +x $out/bin/hello
    : > $out/empty
    ln -s ../bin/hello $out/share/link
    ln -s /nonexistent $out/dangling
    echo x > "$out/with space/f"
    mkdir $out/emptydir
  '' { name = "tree"; };

  chain = sh "mkdir $out; cat ${dep2}/ref > $out/dep-path; cp ${dep} $out/copy; echo $out > $out/self"
    { name = "chain"; };

  multi = sh "mkdir $out $dev $doc; echo $out > $dev/out-path; echo doc > $doc/README"
    { name = "multi"; outputs = [ "out" "dev" "doc" ]; };

  passAsFile = sh ''cat "$textPath" > $out; basename "$textPath" >> $out; echo "''${text:-unset}" >> $out''
    { name = "pass-as-file"; text = "contents\nwith ${dep}"; passAsFile = [ "text" ]; };

  # No `out` variable with structured attributes: the path comes from .attrs.json.
  structured = sh ''cp "$NIX_ATTRS_JSON_FILE" "$(sed -n 's/.*"out":"\([^"]*\)".*/\1/p' "$NIX_ATTRS_JSON_FILE")"''
    { name = "structured"; __structuredAttrs = true; str = "it's"; int = 3; flt = 1.5; b = true; f = false;
      n = null; list = [ 1 "a" true ]; nested = { x = 1; y = "z"; }; exportReferencesGraph = { graph = [ dep2 ]; }; };

  referencesGraph = sh "cat graph > $out; cat graph2 >> $out"
    { name = "references-graph"; exportReferencesGraph = [ "graph" dep2 "graph2" dep ]; };

  environment = sh ''
    env | sort | grep -v -E '^(NIX_BUILD_TOP|TMPDIR|TEMPDIR|TMP|TEMP|PWD|OLDPWD|SHLVL|_|textPath)=' > $out
  '' { name = "environment"; attr = "value"; int = 7; yes = true; no = false; nothing = null;
       list = [ "a" 1 dep ]; text = "x"; passAsFile = [ "text" ]; };

  fixedFlat = sh "printf hello > $out"
    { name = "fixed-flat"; outputHashMode = "flat"; outputHashAlgo = "sha256";
      outputHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; };

  fixedRecursive = sh "mkdir $out; printf hello > $out/f; env | grep NIX_OUTPUT_CHECKED > $out/checked"
    { name = "fixed-recursive"; outputHashMode = "recursive"; outputHashAlgo = "sha256";
      outputHash = "sha256-5anxM8FfJr9Ixms4qTiJPcHNa6eOGM/IpmCAoB9hTaw="; };

  fixedSha1 = sh "printf hello > $out"
    { name = "fixed-sha1"; outputHashAlgo = "sha1"; outputHash = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"; };

  allowed = sh "echo ${dep} > $out" { name = "allowed"; allowedReferences = [ dep ]; };

  # Odd modes (setuid, world-writable, unreadable directory), a hard link,
  # UTF-8 and hash-like names: only content, executable bits and links count.
  modes = sh ''
    mkdir -p $out/locked/inner $out/ünïcode
    echo s > $out/setuid; chmod 4755 $out/setuid
    echo w > $out/world; chmod 666 $out/world
    echo l > $out/locked/inner/f; chmod 000 $out/locked/inner
    ln $out/world $out/hardlink
    echo u > "$out/ünïcode/$(basename ${dep})"
  '' { name = "modes"; };

  # A reference far into a large file (beyond the scanner's 1 MiB blocks).
  big = sh "head -c 3000000 /dev/zero | tr '\\0' x > $out; echo ${dep} >> $out" { name = "big"; };
}

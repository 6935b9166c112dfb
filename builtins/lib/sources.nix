# Source filtering (nixpkgs' lib.sources): copy a directory into the store
# without version-control files, editor backups, build results, or with
# only the files a regex or suffix list selects. Filters compose: a
# cleaned source remembers its original path and filter.
{ lib }:
rec {
  # Keep a file unless it is VCS metadata, an editor backup or swap file,
  # an object file, a `result*` symlink, or not storable (socket, …).
  cleanSourceFilter = name: type:
    let baseName = baseNameOf (toString name);
    in !(
      (baseName == ".git" || type == "directory" && builtins.elem baseName [ ".svn" "CVS" ".hg" ])
      || lib.strings.hasSuffix "~" baseName
      || builtins.match "^\\.sw[a-z]$" baseName != null
      || builtins.match "^\\..*\\.sw[a-z]$" baseName != null
      || lib.strings.hasSuffix ".o" baseName
      || lib.strings.hasSuffix ".so" baseName
      || (type == "symlink" && lib.strings.hasPrefix "result" baseName)
      || type == "unknown"
    );

  # The parts of a (possibly already cleaned) source: original path, filter, name.
  sourceParts = src:
    if src ? _isLibCleanSourceWith
    then { inherit (src) origSrc filter name; }
    else { origSrc = src; filter = _: _: true; name = "source"; };

  cleanSourceWith = { src, filter ? _: _: true, name ? null }:
    let
      parts = sourceParts src;
      combined = path: type: filter path type && parts.filter path type;
      finalName = if name != null then name else parts.name;
    in {
      _isLibCleanSourceWith = true;
      inherit (parts) origSrc;
      filter = combined;
      name = finalName;
      outPath = builtins.path { path = parts.origSrc; filter = combined; name = finalName; };
    };

  cleanSource = src: cleanSourceWith { filter = cleanSourceFilter; inherit src; };

  # Keep the files whose path relative to the source matches one of the regexes.
  sourceByRegex = src: regexes:
    let root = toString (sourceParts src).origSrc;
    in cleanSourceWith {
      inherit src;
      filter = path: type:
        let relative = lib.strings.removePrefix (root + "/") (toString path);
        in lib.lists.any (re: builtins.match re relative != null) regexes;
    };

  # Keep directories and the files whose names end with one of the suffixes.
  sourceFilesBySuffices = src: suffixes: cleanSourceWith {
    inherit src;
    filter = name: type:
      type == "directory"
      || lib.lists.any (suffix: lib.strings.hasSuffix suffix (baseNameOf (toString name))) suffixes;
  };
}

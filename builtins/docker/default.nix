# dockerTools: the API of nixpkgs' (2016-era) dockerTools — the seed,
# /work/shared/seeds/docker-tools-seed.txt — with the same argument names
# and defaults, realised by Python builders instead of shell recipes:
#
#   builtin:docker-layer       mkPureLayer   ($out/{layer.tar,json,VERSION})
#   builtin:docker-root-layer  mkRootLayer   (runAsRoot without a VM)
#   builtin:docker-image       buildImage    ($out = the gzipped image tarball)
#   builtin:docker-oci         buildImage … .oci (an OCI image layout dir)
#   builtin:docker-export      exportImage   (the flattened root filesystem)
#   builtin:docker-pull        pullImage     (fixed-output, Registry API v2)
#   builtin:tarsum             tarsum        (a program: tarsum of stdin)
#
# The derivations' attributes are the contract with those builders
# (docker_contract.md): every attribute becomes an environment string, lists
# space-joined, null the empty string.
{ lib, stdenv, system, runCommand, writeText, writeScript, writeReferencesToFile
, coreutils, shadow }:
rec {
  # A docker-archive tarball pulled from a registry, checked against sha256.
  pullImage =
    { imageName
    , imageDigest
    , sha256
    , finalImageTag ? "latest"
    , registry ? "registry-1.docker.io"
    , tlsVerify ? true
    }:
    derivation {
      name = fixName "docker-image-${imageName}-${finalImageTag}.tar";
      inherit system imageName imageDigest finalImageTag registry tlsVerify;
      builder = "builtin:docker-pull";
      outputHash = sha256;
      outputHashAlgo = "sha256";
      outputHashMode = "flat";
    };
  # Store path names may not contain "/" or ":".
  fixName = name: builtins.replaceStrings [ "/" ":" ] [ "-" "-" ] name;

  # An executable that prints the tarsum (v1) of the tar read on stdin.
  tarsum = derivation {
    name = "tarsum";
    inherit system;
    builder = "builtin:tarsum";
  };

  # Merge store paths (directories are copied, anything else is extracted as
  # a tarball) into one directory; with onlyDeps, just list them.
  mergeDrvs = { derivations, onlyDeps ? false }:
    runCommand "merge-drvs" {
      inherit derivations onlyDeps;
    } ''
      if [[ -n "$onlyDeps" ]]; then
        echo $derivations > $out
        exit 0
      fi

      mkdir $out
      for derivation in $derivations; do
        echo "Merging $derivation..."
        if [[ -d "$derivation" ]]; then
          # If it's a directory, copy all of its contents into $out.
          cp -drf --preserve=mode -f $derivation/* $out/
        else
          # Otherwise treat the derivation as a tarball and extract it
          # into $out.
          tar -C $out -xpf $derivation || true
        fi
      done
    '';

  # Base files for managing users and groups, made only where missing;
  # meant for a runAsRoot script (`${shadowSetup}` then useradd, groupadd).
  shadowSetup = ''
    export PATH=${shadow}/bin:$PATH
    mkdir -p /etc/pam.d
    if [[ ! -f /etc/passwd ]]; then
      echo "root:x:0:0::/root:/bin/sh" > /etc/passwd
      echo "root:!x:::::::" > /etc/shadow
    fi
    if [[ ! -f /etc/group ]]; then
      echo "root:x:0:" > /etc/group
      echo "root:x::" > /etc/gshadow
    fi
    if [[ ! -f /etc/pam.d/other ]]; then
      cat > /etc/pam.d/other <<EOF
    account sufficient pam_unix.so
    auth sufficient pam_rootok.so
    password requisite pam_unix.so nullok sha512
    session required pam_unix.so
    EOF
    fi
    if [[ ! -f /etc/login.defs ]]; then
      touch /etc/login.defs
    fi
  '';

  # nixlite has no virtual machine; runAsRoot is done without one (see
  # mkRootLayer), and this general hook is not offered.
  runWithOverlay = _:
    throw "dockerTools.runWithOverlay: nixlite has no VM; use buildImage's runAsRoot or extraCommands";

  # Later nixpkgs added these; nixlite implements the seed's API only, and
  # says so instead of failing with a missing attribute.
  buildLayeredImage = _: notInSeed "buildLayeredImage";
  streamLayeredImage = _: notInSeed "streamLayeredImage";
  buildImageWithNixDb = _: notInSeed "buildImageWithNixDb";
  notInSeed = what:
    throw "dockerTools.${what} is not provided by nixlite (it implements the 2016 dockerTools API: buildImage, mkPureLayer, mkRootLayer, exportImage, pullImage)";

  # A flattened root filesystem tarball of an image.
  exportImage = { name ? fromImage.name, fromImage, fromImageName ? null, fromImageTag ? null, diskSize ? 1024 }:
    derivation {
      inherit name system fromImage fromImageName fromImageTag diskSize;
      builder = "builtin:docker-export";
    };

  # An executable shell script with coreutils on PATH: root scripts run in a
  # blank environment where even `ls` would be missing.
  shellScript = name: text:
    writeScript name ''
      #!${stdenv.shell}
      set -e
      export PATH=${coreutils}/bin:/bin

      ${text}
    '';

  # A layer (a set of files): contents copied in as `rsync -ak` does, then
  # extraCommands run in the layer directory.
  mkPureLayer =
    { name
    , baseJson
    , contents ? null
    , extraCommands ? ""
    }:
    derivation {
      name = "docker-layer-${name}";
      inherit system baseJson contents extraCommands;
      builder = "builtin:docker-layer";
    };

  # A layer made by running `runAsRoot` as uid 0 on the image's filesystem
  # (base image + contents), recording what it changed.
  mkRootLayer =
    { name
    , baseJson
    , contents ? null
    , runAsRoot
    , fromImage ? null
    , fromImageName ? null
    , fromImageTag ? null
    , diskSize ? 1024
    , extraCommands ? ""
    }:
    derivation {
      name = "docker-layer-${name}";
      inherit system baseJson contents extraCommands fromImage fromImageName
        fromImageTag diskSize;
      runAsRoot = shellScript "run-as-root.sh" runAsRoot;
      builder = "builtin:docker-root-layer";
    };

  # An image: one new layer (pure, or root when runAsRoot is given) on top of
  # fromImage, with the layer's runtime closure under /nix/store.
  buildImage = args@{
    name,
    tag ? "latest",
    fromImage ? null,
    fromImageName ? null,
    fromImageTag ? null,
    contents ? null,
    config ? null,
    extraCommands ? "",
    runAsRoot ? null,
    diskSize ? 1024,
    # nixpkgs' later argument: "gz" (the seed's .tar.gz) or "none" (a plain
    # .tar, which every loader reads, Debian 12's skopeo 1.9 included).
    compressor ? "gz"
  }:
    let
      baseName = baseNameOf name;

      compressors = { gz = ".tar.gz"; none = ".tar"; };
      extension = compressors.${compressor} or (throw
        "in docker image ${name}: compressor must be one of: [${toString (builtins.attrNames compressors)}]");

      # The configuration; the date is fixed near the epoch.
      baseJson = writeText "${baseName}-config.json" (builtins.toJSON {
        created = "1970-01-01T00:00:01Z";
        architecture = "amd64";
        os = "linux";
        config = config;
      });

      layer =
        if runAsRoot == null
        then mkPureLayer {
          name = baseName;
          inherit baseJson contents extraCommands;
        }
        else mkRootLayer {
          name = baseName;
          inherit baseJson fromImage fromImageName fromImageTag
            contents runAsRoot diskSize extraCommands;
        };

      image = derivation {
        name = "docker-image-${baseName}${extension}";
        inherit system compressor;
        builder = "builtin:docker-image";
        imageName = name;
        imageTag = tag;
        inherit fromImage fromImageName fromImageTag baseJson layer;
        layerClosure = writeReferencesToFile layer;
      };

      oci = derivation {
        name = "docker-image-${baseName}-oci";
        inherit system image;
        builder = "builtin:docker-oci";
      };
    in
    image // {
      buildArgs = args;
      inherit layer oci;
    };
}

{ stdenv, lib, runCommand, writeText, writeScript, jq, coreutils, gnutar, gzip
, storeDir ? builtins.storeDir
}:
rec {
  shadowSetup = ''
    export PATH=${coreutils}/bin:$PATH
    mkdir -p /etc/pam.d
    if [[ ! -f /etc/passwd ]]; then
      echo "root:x:0:0::/root:/bin/sh" > /etc/passwd
      echo "root:!x:::::::" > /etc/shadow
    fi
    if [[ ! -f /etc/group ]]; then
      echo "root:x:0:" > /etc/group
    fi
  '';
  mkDbExtraCommand = contents: let
    contentsList = if builtins.isList contents then contents else [ contents ];
  in ''
    echo "Generating the nix database..."
    echo "Warning: only the database of the deepest Nix layer is loaded."
    mkdir -p nix/var/nix/gcroots/docker/
    for i in ${lib.concatStringsSep " " contentsList}; do
      ln -s $i nix/var/nix/gcroots/docker/$(basename $i)
    done;
  '';
  mergeImages = images: runCommand "merge-docker-images" {
    inherit images;
    nativeBuildInputs = [ gnutar gzip jq ];
  } ''
    mkdir image inputs
    # Extract images
    repos=()
    manifests=()
    for item in $images; do
      name=$(basename $item)
      mkdir inputs/$name
      tar -I pigz -xf $item -C inputs/$name
      if [ -f inputs/$name/repositories ]; then
        repos+=(inputs/$name/repositories)
      fi
      if [ -f inputs/$name/manifest.json ]; then
        manifests+=(inputs/$name/manifest.json)
      fi
    done
    # Copy all layers from input images to output image directory
    cp -R --no-clobber inputs/*/* image/
    # Merge repositories objects and manifests
    jq -s add "''${repos[@]}" > repositories
    jq -s add "''${manifests[@]}" > manifest.json
    # Replace output image repositories and manifest with merged versions
    mv repositories image/repositories
    mv manifest.json image/manifest.json
    # Create tarball and gzip
    tar -C image --hard-dereference --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --xform s:'^./':: -c . | pigz -nT > $out
  '';
  buildImage = args@{
    name,
    tag ? null,
    fromImage ? null,
    fromImageName ? null,
    fromImageTag ? null,
    contents ? null,
    config ? null,
    runAsRoot ? null,
    diskSize ? 1024,
    extraCommands ? "",
    ...
  }:
    let
      baseName = baseNameOf name;
      imageTag = if tag == null then "latest" else tag;
      jsonFile = writeText "${baseName}-config.json" (builtins.toJSON {
        created = "1970-01-01T00:00:01Z";
        architecture = "amd64";
        os = "linux";
        config = config;
      });
      layer = runCommand "docker-layer-${baseName}" {
        inherit extraCommands;
        passAsFile = [ "extraCommands" ];
      } ''
        mkdir layer
        ${lib.optionalString (contents != null) ''
          for item in ${toString contents}; do
            cp -drf $item/* layer/
          done
        ''}
        (cd layer; eval "$extraCommands")
        tar -C layer --sort=name --mtime="@1" --owner=0 --group=0 -cf $out/layer.tar .
      '';
    in runCommand "docker-image-${baseName}.tar.gz" {
      inherit imageTag;
      passthru = { inherit imageTag layer; };
    } ''
      mkdir image
      touch baseFiles
      layerID=$(sha256sum ${layer}/layer.tar | cut -d ' ' -f 1)
      mkdir image/$layerID
      ln -s ${layer}/layer.tar image/$layerID/layer.tar
      echo "1.0" > image/$layerID/VERSION
      jq --arg id "$layerID" '. + { id: $id }' ${jsonFile} > image/$layerID/json
      echo '{"${baseName}":{"${imageTag}":"'$layerID'"}}' > image/repositories
      tar -C image --sort=name -c . | gzip -n > $out
    '';
}

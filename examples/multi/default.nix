# An image from several contents: host bash and coreutils, a text file at a
# chosen path, a script, and a symlink tree; extraCommands then adds a
# world-writable /tmp inside the layer.
#
#   nixlite build examples/multi/default.nix -A image
{ pkgs ? import <nixpkgs> { } }:
let
  inherit (pkgs) dockerTools bash coreutils writeTextDir writeScriptBin symlinkJoin;

  motd = writeTextDir "etc/motd" ''
    Welcome to an image built by nixlite.
  '';
  greet = writeScriptBin "greet" ''
    #!${bash}/bin/bash
    cat /etc/motd
    echo "Files in /etc: $(ls /etc)"
  '';
  tools = symlinkJoin {
    name = "tools";
    paths = [ greet ];
  };
in
{
  image = dockerTools.buildImage {
    # A plain tar: docker, podman and skopeo (Debian 12's 1.9 too) all load it.
    compressor = "none";
    name = "nixlite/multi";
    tag = "v1";
    contents = [ bash coreutils motd tools ];
    extraCommands = ''
      mkdir -p tmp
      chmod 1777 tmp
    '';
    config = {
      Cmd = [ "/bin/greet" ];
      Env = [ "PATH=/bin" ];
    };
  };
}

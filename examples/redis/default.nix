# A redis-style service layered on the shell image: `fromImage` keeps the
# shell image's layer, `runAsRoot` creates /data in a new layer, and the
# config names the command, working directory and volume.
#
# The service is the host's redis-server when the host has one; otherwise a
# stand-in script that says where it would keep its data and waits.
#
#   nixlite build examples/redis/default.nix -A image
{ pkgs ? import <nixpkgs> { } }:
let
  inherit (pkgs) dockerTools writeShellScriptBin;
  shell = (import ../shell { inherit pkgs; }).image;

  standIn = writeShellScriptBin "redis-server" ''
    echo "redis stand-in: serving from $PWD"
    [ -d /data ] && echo "redis stand-in: /data is ready"
    if [ "''${1:-}" = "--once" ]; then exit 0; fi
    while :; do sleep 3600; done
  '';
in
{
  image = dockerTools.buildImage {
    # A plain tar: docker, podman and skopeo (Debian 12's 1.9 too) all load it.
    compressor = "none";
    name = "nixlite/redis";
    tag = "latest";
    fromImage = shell;
    contents = if pkgs.redis != null then pkgs.redis else standIn;
    runAsRoot = ''
      mkdir -p /data
    '';
    config = {
      Cmd = [ "/bin/redis-server" ];
      WorkingDir = "/data";
      Volumes = {
        "/data" = { };
      };
    };
  };
}

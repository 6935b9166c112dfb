# A shell image: the host's busybox (with all its applets: sh, ls, cat, …)
# or, where the host has no busybox, its bash and coreutils — copied into
# the store with the libraries they load, so they run in the image.
#
#   nixlite build examples/shell/default.nix -A image
#   skopeo copy docker-archive:result oci:shell-oci:latest
{ pkgs ? import <nixpkgs> { } }:
let
  inherit (pkgs) dockerTools busybox bash coreutils;
in
{
  image = dockerTools.buildImage {
    # A plain tar: docker, podman and skopeo (Debian 12's 1.9 too) all load it.
    compressor = "none";
    name = "nixlite/shell";
    tag = "latest";
    contents = if busybox != null then busybox else [ bash coreutils ];
    config = {
      Cmd = [ "/bin/sh" "-c" "echo Hello from a nixlite image" ];
      Env = [ "PATH=/bin" ];
    };
  };
}

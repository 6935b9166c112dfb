# An image whose runAsRoot makes device nodes and a fifo outside /dev (a
# chroot for a service), as the seed's VM would leave them in the layer.
# Nodes under /dev stay in the sandbox's own /dev, as in the seed.
{ pkgs ? import <nixpkgs> { } }:
let
  inherit (pkgs) dockerTools bash coreutils;
in
{
  image = dockerTools.buildImage {
    compressor = "none";
    name = "nixlite/devices";
    tag = "test";
    contents = [ bash coreutils ];
    runAsRoot = ''
      mkdir -p /srv/chroot/dev
      mknod -m 666 /srv/chroot/dev/null c 1 3
      mknod -m 666 /srv/chroot/dev/zero c 1 5
      mknod -m 660 /srv/chroot/dev/loop0 b 7 0
      chown 0:6 /srv/chroot/dev/loop0
      mkfifo -m 620 /srv/chroot/initctl
      mknod /dev/made-in-the-sandbox c 1 3
    '';
    config.Cmd = [ "/bin/bash" ];
  };
}

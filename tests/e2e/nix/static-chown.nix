# A runAsRoot whose chowns are made by a statically linked busybox (which
# fakeroot's preload library cannot see) and by the host's dynamically
# linked coreutils, plus a device node. As an ordinary user with
# subordinate ids, nixlite runs it in a user namespace mapping them
# (nixlite.docker.subids); the image must equal root's.
{ pkgs ? import <nixpkgs> { } }:
let
  inherit (pkgs) dockerTools busybox;
in
{
  image = dockerTools.buildImage {
    compressor = "none";
    name = "nixlite/static-chown";
    tag = "test";
    contents = [ busybox ];
    runAsRoot = ''
      ${busybox}/bin/mkdir -p /data/inner /srv
      ${busybox}/bin/chown -R 1000:1000 /data
      ${busybox}/bin/chmod 0750 /data
      ${busybox}/bin/chown 65534:65534 /data/inner
      chown 999:998 /srv
      mknod -m 666 /srv/null c 1 3
      test "$(${busybox}/bin/stat -c %u:%g /data)" = 1000:1000
    '';
    config.Cmd = [ "/bin/sh" ];
  };
}

# An image whose runAsRoot gives files owners other than root and special
# modes: as root the sandbox chowns for real; as an ordinary user fakeroot
# records it. Both must give the same image bytes (test_e2e_unprivileged).
# Every program here is the host's, dynamically linked (fakeroot's preload
# library reaches only those).
{ pkgs ? import <nixpkgs> { } }:
let
  inherit (pkgs) dockerTools bash coreutils;
in
{
  image = dockerTools.buildImage {
    compressor = "none";
    name = "nixlite/owners";
    tag = "test";
    contents = [ bash coreutils ];
    runAsRoot = ''
      ${dockerTools.shadowSetup}
      groupadd --system app
      useradd --system --gid app app
      mkdir -p /var/lib/app /srv/shared
      chown app:app /var/lib/app
      echo key > /var/lib/app/key
      chown app:app /var/lib/app/key
      chmod 0640 /var/lib/app/key
      chown 1234:5678 /srv/shared
      chmod 2775 /srv/shared
      echo tool > /bin/tool-setuid
      chmod 4755 /bin/tool-setuid
      rm /bin/true
    '';
    config = {
      Cmd = [ "/bin/bash" ];
      User = "app";
    };
  };
}

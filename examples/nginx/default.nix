# An nginx-style image: a configuration made with `writeText` and named in
# Cmd (so it lands in the image's /nix/store), and an `nginx` user and group
# created by a runAsRoot script with dockerTools.shadowSetup and the host's
# shadow utilities.
#
# The server is the host's nginx when it has one; otherwise a stand-in that
# checks its user exists, shows the configuration and serves the web root
# with busybox httpd (or just shows it, without busybox).
#
#   nixlite build examples/nginx/default.nix -A image
{ pkgs ? import <nixpkgs> { } }:
let
  inherit (pkgs) dockerTools writeText writeTextDir writeShellScriptBin busybox stdenv gnugrep coreutils;

  nginxPort = "80";
  nginxWebRoot = writeTextDir "index.html" ''
    <html><body><h1>Hello from NGINX</h1></body></html>
  '';
  nginxConf = writeText "nginx.conf" ''
    user nginx nginx;
    daemon off;
    events {}
    http {
      server {
        listen ${nginxPort};
        index index.html;
        location / {
          root ${nginxWebRoot};
        }
      }
    }
  '';

  # The stand-in names its tools by store path: the image has no other grep or cat.
  standIn = writeShellScriptBin "nginx" ''
    PATH=${gnugrep}/bin:${coreutils}/bin
    conf="''${2:-/etc/nginx/nginx.conf}"
    if ! grep -q '^nginx:' /etc/passwd; then
      echo "nginx stand-in: no nginx user" >&2
      exit 1
    fi
    echo "nginx stand-in: running as $(grep '^nginx:' /etc/passwd) with $conf"
    cat "$conf"
    ${if busybox != null
      then ''exec ${busybox}/bin/httpd -f -p ${nginxPort} -u nginx:nginx -h ${nginxWebRoot}''
      else ''exit 0''}
  '';
in
{
  image = dockerTools.buildImage {
    # A plain tar: docker, podman and skopeo (Debian 12's 1.9 too) all load it.
    compressor = "none";
    name = "nginx-container";
    contents = if pkgs.nginx != null then pkgs.nginx else standIn;
    runAsRoot = ''
      #!${stdenv.shell}
      ${dockerTools.shadowSetup}
      groupadd --system nginx
      useradd --system --gid nginx nginx
    '';
    config = {
      Cmd = [ "nginx" "-c" nginxConf ];
      Env = [ "PATH=/bin" ];
      ExposedPorts = {
        "${nginxPort}/tcp" = { };
      };
    };
  };
}

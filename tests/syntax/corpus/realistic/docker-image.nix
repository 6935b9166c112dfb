# A docker.nix-style image definition (the kind of file nixlite builds first).
{ pkgs ? import <nixpkgs> { }
, name ? "hello-image"
, tag ? "latest"
}:

let
  inherit (pkgs) dockerTools lib;
  hello = pkgs.hello;
  entrypoint = pkgs.writeShellScript "entrypoint" ''
    #!/bin/sh
    set -eu
    echo "starting ${name}:${tag}"
    exec ${hello}/bin/hello "$@"
  '';
  env = {
    PATH = "/bin:/usr/bin";
    LANG = "C.UTF-8";
  };
in
dockerTools.buildImage {
  inherit name tag;
  created = "1970-01-01T00:00:01Z";
  copyToRoot = pkgs.buildEnv {
    name = "image-root";
    paths = [ hello pkgs.busybox ];
    pathsToLink = [ "/bin" "/etc" ];
  };
  runAsRoot = ''
    mkdir -p /data /tmp
    chmod 1777 /tmp
  '';
  config = {
    Cmd = [ "${entrypoint}" ];
    Env = lib.mapAttrsToList (k: v: "${k}=${v}") env;
    WorkingDir = "/data";
    ExposedPorts."8080/tcp" = { };
    Volumes."/data" = { };
    Labels = {
      "org.opencontainers.image.title" = name;
      "org.opencontainers.image.version" = tag;
    };
  };
  diskSize = 1024;
}

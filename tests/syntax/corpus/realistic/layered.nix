{ pkgs ? import <nixpkgs> { } }:
with pkgs;
let
  app = stdenv.mkDerivation rec {
    pname = "app";
    version = "1.2.3";
    src = ./src;
    buildInputs = [ openssl zlib ];
    nativeBuildInputs = [ pkg-config ];
    buildPhase = ''
      runHook preBuild
      make -j$NIX_BUILD_CORES PREFIX=$out
      runHook postBuild
    '';
    installPhase = ''
      mkdir -p $out/bin
      cp app $out/bin/
    '';
    meta = with lib; {
      description = "An example application";
      license = licenses.mit;
      platforms = platforms.linux;
    };
  };
  nonRoot = ''
    ${dockerTools.shadowSetup}
    groupadd -r app
    useradd -r -g app app
  '';
in
dockerTools.buildLayeredImage {
  name = "app";
  tag = app.version;
  contents = [ app bashInteractive coreutils cacert ];
  maxLayers = 100;
  fakeRootCommands = nonRoot;
  extraCommands = ''
    mkdir -m 1777 tmp
    ln -s ${app}/bin/app usr-app
  '';
  config = {
    Entrypoint = [ "${app}/bin/app" ];
    User = "app";
    Env = [ "SSL_CERT_FILE=${cacert}/etc/ssl/certs/ca-bundle.crt" ];
  };
}

# The builder of stdenv.mkDerivation: load the stdenv and run the build.
source "$stdenv/setup"
genericBuild

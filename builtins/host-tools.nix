# Host tools: packages made from this machine's own programs.
#
# nixlite builds no compilers or C packages; a recipe's bash, coreutils,
# busybox, shadow (useradd, groupadd, …), tar, gzip, … are the host's
# binaries. Each package is a derivation with the Python builder
# `builtin:host-tools`, which copies the named programs into $out/bin with
# the shared libraries they load into $out/lib, and points their ELF
# interpreter and rpath at $out/lib, so they also run inside an image's
# root where the host's /lib and /usr do not exist.
#
# The derivation records the sha256 of every program (read at evaluation
# time with builtins.hashFile), so a changed host binary gives a new store
# path; the builder checks the digests again when it copies. A program the
# host lacks is left out; a package none of whose programs exist is null.
{ lib, system }:
let
  searchDirs = [ "/usr/bin" "/bin" "/usr/sbin" "/sbin" ];

  # The absolute host path of a program, or null when the host lacks it.
  findProgram = program:
    lib.findFirst builtins.pathExists null
      (map (dir: "${dir}/${program}") searchDirs);

  # hostTool { pname, programs, links ? { }, multiCall ? false }
  #   programs   names looked up in /usr/bin, /bin, /usr/sbin, /sbin
  #   links      extra names in bin/ that are symlinks to one of the programs
  #              (e.g. gunzip -> gzip: the program acts on its argv[0])
  #   multiCall  a busybox-style binary: bin/ also gets a symlink per applet
  hostTool = { pname, programs, links ? { }, multiCall ? false }:
    let
      found = builtins.filter (p: p.path != null)
        (map (name: { inherit name; path = findProgram name; }) programs);
      foundNames = map (p: p.name) found;
      usableLinks = lib.filterAttrs (_: target: builtins.elem target foundNames) links;
    in
    if found == [ ] then null
    else derivation {
      name = "host-${pname}";
      inherit system multiCall;
      builder = "builtin:host-tools";
      programs = foundNames;
      programPaths = map (p: p.path) found;
      programHashes = map (p: builtins.hashFile "sha256" p.path) found;
      programLinks = lib.mapAttrsToList (name: target: "${name}=${target}") usableLinks;
    } // {
      inherit pname;
      meta.description = "${pname} from the host (${lib.concatStringsSep ", " foundNames})";
    };

  coreutilsPrograms = [
    "[" "arch" "b2sum" "base32" "base64" "basename" "basenc" "cat" "chcon"
    "chgrp" "chmod" "chown" "chroot" "cksum" "comm" "cp" "csplit" "cut" "date"
    "dd" "df" "dir" "dircolors" "dirname" "du" "echo" "env" "expand" "expr"
    "factor" "false" "fmt" "fold" "groups" "head" "hostid" "id" "install"
    "join" "link" "ln" "logname" "ls" "md5sum" "mkdir" "mkfifo" "mknod"
    "mktemp" "mv" "nice" "nl" "nohup" "nproc" "numfmt" "od" "paste" "pathchk"
    "pinky" "pr" "printenv" "printf" "ptx" "pwd" "readlink" "realpath" "rm"
    "rmdir" "runcon" "seq" "sha1sum" "sha224sum" "sha256sum" "sha384sum"
    "sha512sum" "shred" "shuf" "sleep" "sort" "split" "stat" "stdbuf" "stty"
    "sum" "sync" "tac" "tail" "tee" "test" "timeout" "touch" "tr" "true"
    "truncate" "tsort" "tty" "uname" "unexpand" "uniq" "unlink" "users" "vdir"
    "wc" "who" "whoami" "yes"
  ];

  # The shadow utilities that do not need PAM (passwd, chpasswd and
  # newusers load PAM modules at run time, which are not copied).
  shadowPrograms = [
    "useradd" "userdel" "usermod" "groupadd" "groupdel" "groupmod"
    "groupmems" "gpasswd" "chage" "pwck" "grpck" "pwconv" "pwunconv"
    "grpconv" "grpunconv" "vipw"
  ];

  gawk = hostTool { pname = "gawk"; programs = [ "gawk" ]; links.awk = "gawk"; };
  mawk = hostTool { pname = "mawk"; programs = [ "mawk" ]; links.awk = "mawk"; };
in
{
  inherit hostTool;
  bash = hostTool { pname = "bash"; programs = [ "bash" ]; links.sh = "bash"; };
  bashInteractive = hostTool { pname = "bash"; programs = [ "bash" ]; links.sh = "bash"; };
  coreutils = hostTool { pname = "coreutils"; programs = coreutilsPrograms; };
  busybox = hostTool { pname = "busybox"; programs = [ "busybox" ]; multiCall = true; };
  shadow = hostTool { pname = "shadow"; programs = shadowPrograms; };
  gnutar = hostTool { pname = "gnutar"; programs = [ "tar" ]; };
  # Debian's gunzip and zcat are shell scripts, and its gzip ignores argv[0].
  gzip = hostTool { pname = "gzip"; programs = [ "gzip" ]; };
  bzip2 = hostTool { pname = "bzip2"; programs = [ "bzip2" ]; links = { bunzip2 = "bzip2"; bzcat = "bzip2"; }; };
  xz = hostTool { pname = "xz"; programs = [ "xz" ]; links = { unxz = "xz"; xzcat = "xz"; }; };
  pigz = hostTool { pname = "pigz"; programs = [ "pigz" ]; links.unpigz = "pigz"; };
  findutils = hostTool { pname = "findutils"; programs = [ "find" "xargs" ]; };
  diffutils = hostTool { pname = "diffutils"; programs = [ "diff" "cmp" "diff3" "sdiff" ]; };
  gnugrep = hostTool { pname = "gnugrep"; programs = [ "grep" ]; };
  gnused = hostTool { pname = "gnused"; programs = [ "sed" ]; };
  gnupatch = hostTool { pname = "patch"; programs = [ "patch" ]; };
  gnumake = hostTool { pname = "gnumake"; programs = [ "make" ]; };
  rsync = hostTool { pname = "rsync"; programs = [ "rsync" ]; };
  jq = hostTool { pname = "jq"; programs = [ "jq" ]; };
  jshon = hostTool { pname = "jshon"; programs = [ "jshon" ]; };
  redis = hostTool { pname = "redis"; programs = [ "redis-server" "redis-cli" ]; };
  nginx = hostTool { pname = "nginx"; programs = [ "nginx" ]; };
  inherit gawk mawk;
  # The awk every build finds: GNU awk where the host has it, else mawk.
  awk = if gawk != null then gawk else mawk;
}

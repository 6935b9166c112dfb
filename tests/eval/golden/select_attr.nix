# flags: -A pkgs.hello -A pkgs.list.1 -A fn.out
{ pkgs = { hello = "hi"; list = [ 1 2 3 ]; }; fn = { out = { a ? 5 }: a; }; }

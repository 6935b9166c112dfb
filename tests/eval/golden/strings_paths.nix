let s = "world"; in {
  interp = "hello ${s}!";
  plus = "a" + "b" + s;
  multi = ''
    line one
      indented ${s}
    ''${not} '''quote
  '';
  escapes = "tab\tnl\ncr\r\"q\" \\ \${x}";
  pathPlus = ./a + "/b";
  pathStr = ./a + "b";
  pathCanon = ./a/../b/./c;
  toStr = toString ./a;
  nums = "${toString 1} ${toString 2.5} ${toString true} ${toString null}";
  listStr = toString [ 1 [ 2 3 ] [ ] "x" ];
  floatPrint = [ 0.1 1.0 2.5e3 1234567.0 0.000001 (1.0 / 3) ];
}

{
  here = __curPos;
  line = __curPos.line;
  pos = builtins.unsafeGetAttrPos "b" { a = 1;
    b = 2; };
}

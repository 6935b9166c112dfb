echo hi > $out

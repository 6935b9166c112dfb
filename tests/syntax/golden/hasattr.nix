x: x ? a.b && x ? "c" || x ? ${x}

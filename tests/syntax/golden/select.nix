x: [ x.a.b x.a or 1 x."b c" x.${"d"} x.${x} ]

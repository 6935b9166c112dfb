let mk = { name, version }: name + "-" + version; in mk { name = "hello"; versoin = "1"; }

# flags: --arg n 21 --argstr s text --strict
{ n, s, d ? "default", ... }: { inherit n s d; twice = n * 2; }

# List functions (nixpkgs' lib.lists): folds, filters, ranges, zips,
# uniqueness, sorting helpers.
{ lib }:
rec {
  inherit (builtins) head tail length isList elemAt concatLists filter elem
    genList map sort partition concatMap all any;

  singleton = x: [ x ];
  forEach = xs: f: map f xs;

  # foldr op nul [x1 x2 … xn] = op x1 (op x2 … (op xn nul))
  foldr = op: nul: list:
    let
      len = length list;
      go = n: if n == len then nul else op (elemAt list n) (go (n + 1));
    in go 0;
  fold = foldr;
  # foldl op nul [x1 … xn] = op (… (op (op nul x1) x2) …) xn
  foldl = op: nul: list:
    let go = n: if n == -1 then nul else op (go (n - 1)) (elemAt list n);
    in go (length list - 1);
  foldl' = builtins.foldl';
  imap0 = f: list: genList (n: f n (elemAt list n)) (length list);
  imap1 = f: list: genList (n: f (n + 1) (elemAt list n)) (length list);
  ifilter0 = ipred: input:
    map (idx: elemAt input idx)
      (filter (idx: ipred idx (elemAt input idx)) (range 0 (length input - 1)));

  flatten = x: if isList x then concatMap flatten x else [ x ];
  remove = e: filter (x: x != e);
  findSingle = pred: default: multiple: list:
    let found = filter pred list; n = length found;
    in if n == 0 then default else if n != 1 then multiple else head found;
  findFirst = pred: default: list:
    let found = filter pred list;
    in if found == [ ] then default else head found;
  count = pred: builtins.foldl' (c: x: if pred x then c + 1 else c) 0;

  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];
  toList = x: if isList x then x else [ x ];

  range = first: last:
    if first > last then [ ] else genList (n: first + n) (last - first + 1);
  replicate = n: elem: genList (_: elem) n;

  groupBy' = op: nul: pred: lst:
    builtins.mapAttrs (_name: foldl op nul) (groupBy pred lst);
  groupBy = builtins.groupBy or (pred: builtins.foldl'
    (acc: e: let key = pred e; in acc // { ${key} = (acc.${key} or [ ]) ++ [ e ]; }) { });

  zipListsWith = f: fst: snd:
    genList (n: f (elemAt fst n) (elemAt snd n))
      (lib.trivial.min (length fst) (length snd));
  zipLists = zipListsWith (fst: snd: { inherit fst snd; });

  reverseList = xs: let l = length xs; in genList (n: elemAt xs (l - n - 1)) l;

  listDfs = stopOnCycles: before: list:
    let
      dfs' = us: visited: rest:
        let
          c = filter (x: before x us) visited;
          b = partition (x: before x us) rest;
        in if stopOnCycles && (length c > 0)
          then { cycle = us; loops = c; inherit visited rest; }
          else if length b.right == 0
          then { minimal = us; inherit visited rest; }
          else dfs' (head b.right) ([ us ] ++ visited) (tail b.right ++ b.wrong);
    in dfs' (head list) [ ] (tail list);

  # Insertion-free stable sort by a comparison "comes before" predicate.
  sortOn = f: list: map (p: p.v)
    (sort (a: b: a.k < b.k) (map (v: { inherit v; k = f v; }) list));

  compareLists = cmp: a: b:
    if a == [ ] then (if b == [ ] then 0 else -1)
    else if b == [ ] then 1
    else let rel = cmp (head a) (head b);
         in if rel == 0 then compareLists cmp (tail a) (tail b) else rel;

  naturalSort = sort (a: b: a < b);

  take = count: sublist 0 count;
  drop = count: list: sublist count (length list) list;
  sublist = start: count: list:
    let
      len = length list;
      n = if start >= len then 0
          else if start + count > len then len - start
          else count;
    in genList (i: elemAt list (i + start)) n;

  last = list:
    assert lib.assertMsg (list != [ ]) "lists.last: list must not be empty!";
    elemAt list (length list - 1);
  init = list:
    assert lib.assertMsg (list != [ ]) "lists.init: list must not be empty!";
    take (length list - 1) list;

  crossLists = f: foldl (fs: args: concatMap (f: map f args) fs) [ f ];

  # Keep the first occurrence of every element, in order.
  unique = builtins.foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];
  intersectLists = e: filter (x: elem x e);
  subtractLists = e: filter (x: !(elem x e));
  mutuallyExclusive = a: b: length a == 0 || !(any (x: elem x a) b);
  allUnique = list: length (unique list) == length list;
}

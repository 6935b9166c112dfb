// Prints Docker's tarsum v1 (github.com/docker/docker/pkg/tarsum, Version1)
// of the uncompressed tar on stdin. Built at test time from Debian's
// golang-github-docker-docker-dev sources, offline, to make test vectors.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/docker/docker/pkg/tarsum"
)

func main() {
	ts, err := tarsum.NewTarSum(os.Stdin, true, tarsum.Version1)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := io.Copy(io.Discard, ts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ts.Sum(nil))
}

// Command etcd is the upstream etcd server: etcd ships its main in a package of its own
// module's root, which `go build` of a dependency cannot name, so this calls etcdmain directly.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}

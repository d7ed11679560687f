package main

// The `cri` component: the two crictl operations scripts/cluster.sh needs, so that no extra
// tool has to be built. It talks CRI to the cluster's containerd, like kubelet does.
//
//	kube cri pods  ENDPOINT   one line per pod sandbox: id, state, namespace/name, container states
//	kube cri reset ENDPOINT   stop and remove every container and pod sandbox: the runtime then
//	                          kills the tasks, tears the pod network down (CNI DEL), unmounts the
//	                          rootfs and shm mounts and removes the network namespaces.

import (
	"context"
	"fmt"
	"os"
	"time"

	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	criclient "k8s.io/cri-client/pkg"
)

func runCRI() int {
	if len(os.Args) != 3 || (os.Args[1] != "pods" && os.Args[1] != "reset") {
		fmt.Fprintln(os.Stderr, "usage: cri pods|reset ENDPOINT   (e.g. unix:///run/podgroup-containerd/containerd.sock)")
		return 2
	}
	rt, err := criclient.NewRemoteRuntimeService(os.Args[2], 10*time.Second, nil, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri: connect %s: %v\n", os.Args[2], err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if os.Args[1] == "pods" {
		err = listPods(ctx, rt)
	} else {
		err = reset(ctx, rt)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri %s: %v\n", os.Args[1], err)
		return 1
	}
	return 0
}

func listPods(ctx context.Context, rt internalapi.RuntimeService) error {
	pods, err := rt.ListPodSandbox(ctx, nil)
	if err != nil {
		return err
	}
	for _, p := range pods {
		line := fmt.Sprintf("%.13s %-18s %s/%s", p.Id, p.State, p.Metadata.Namespace, p.Metadata.Name)
		cs, err := rt.ListContainers(ctx, &runtimeapi.ContainerFilter{PodSandboxId: p.Id})
		if err != nil {
			return err
		}
		for _, c := range cs {
			line += fmt.Sprintf(" %s=%s", c.Metadata.Name, c.State)
		}
		fmt.Println(line)
	}
	return nil
}

func reset(ctx context.Context, rt internalapi.RuntimeService) error {
	cs, err := rt.ListContainers(ctx, nil)
	if err != nil {
		return err
	}
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for _, c := range cs {
		if c.State == runtimeapi.ContainerState_CONTAINER_RUNNING {
			keep(rt.StopContainer(ctx, c.Id, 2)) // 2s of SIGTERM, then SIGKILL
		}
		keep(rt.RemoveContainer(ctx, c.Id))
	}
	pods, err := rt.ListPodSandbox(ctx, nil)
	if err != nil {
		return err
	}
	for _, p := range pods {
		keep(rt.StopPodSandbox(ctx, p.Id))
		keep(rt.RemovePodSandbox(ctx, p.Id))
	}
	fmt.Printf("removed %d containers and %d pod sandboxes\n", len(cs), len(pods))
	return firstErr
}

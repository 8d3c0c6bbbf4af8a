#!/usr/bin/python3
"""cri_client.py: a small CRI client (what the kubelet or crictl speak) for the CRI tests.

    cri_client.py stubs CONTAINERD_BINARY DIR
        write the CRI (runtime.v1) gRPC stubs into DIR, compiled with grpc_tools' protoc from the
        api.proto of the installed containerd: containerd is built with k8s.io/cri-api, whose
        generated Go code registers api.proto's FileDescriptorProto (gzipped) in the binary; no
        Debian package ships the .proto file.  The descriptor's gogoproto options and import are
        dropped: they steer Go code generation only.
    cri_client.py -s SOCKET -d DIR COMMAND ARGS...
        version                        RuntimeName RuntimeVersion RuntimeApiVersion
        runp POD.json [HANDLER]        RunPodSandbox; prints the sandbox id
        create POD_ID CTR.json POD.json  CreateContainer; prints the container id
        start ID | stop ID [TIMEOUT] | rm ID
        stopp POD_ID | rmp POD_ID
        exec ID TIMEOUT CMD...         ExecSync; prints stdout, then stderr, exits with the
                                       command's exit code
        inspect ID | inspectp POD_ID   ContainerStatus / PodSandboxStatus as JSON
        ps | pods                      the container / sandbox ids, one a line
The configs are the CRI messages as JSON (protobuf's JSON mapping, e.g. {"metadata": {...}}).
"""
import importlib
import json
import sys
import zlib


def write_stubs(binary, out):
    from google.protobuf import descriptor_pb2
    from grpc_tools import protoc

    data = open(binary, 'rb').read()
    fd = None
    at = 0
    while fd is None:
        at = data.find(b'\x1f\x8b\x08', at)
        if at < 0:
            sys.exit(f'cri_client: no runtime.v1 api.proto descriptor in {binary}')
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[at:at + (1 << 20)])
            cand = descriptor_pb2.FileDescriptorProto.FromString(raw)
            if cand.package == 'runtime.v1' and any(s.name == 'RuntimeService' for s in cand.service):
                fd = cand
        except Exception:  # most gzip magic bytes in a binary start no descriptor
            pass
        at += 1
    del fd.dependency[:]
    fd.DiscardUnknownFields()  # the gogoproto extensions, unknown without gogo.proto
    fd.name = 'api.proto'
    setpb = f'{out}/cri.pb'
    with open(setpb, 'wb') as f:
        f.write(descriptor_pb2.FileDescriptorSet(file=[fd]).SerializeToString())
    rc = protoc.main(['protoc', f'--descriptor_set_in={setpb}', f'--python_out={out}',
                      f'--grpc_python_out={out}', 'api.proto'])
    if rc != 0:
        sys.exit(f'cri_client: protoc failed ({rc})')


def main(argv):
    if argv[:1] == ['stubs']:
        write_stubs(argv[1], argv[2])
        return 0
    if len(argv) < 5 or argv[0] != '-s' or argv[2] != '-d':
        sys.exit(__doc__)
    sock, stubs, cmd, args = argv[1], argv[3], argv[4], argv[5:]
    sys.path.insert(0, stubs)
    import grpc
    from google.protobuf import json_format
    pb = importlib.import_module('api_pb2')
    pbg = importlib.import_module('api_pb2_grpc')

    channel = grpc.insecure_channel(f'unix://{sock}')
    rt = pbg.RuntimeServiceStub(channel)

    def load(path, msg):
        with open(path) as f:
            return json_format.ParseDict(json.load(f), msg())

    def show(msg):
        print(json_format.MessageToJson(msg, preserving_proto_field_name=True))

    timeout = 60
    if cmd == 'version':
        v = rt.Version(pb.VersionRequest(), timeout=timeout)
        print(v.runtime_name, v.runtime_version, v.runtime_api_version)
    elif cmd == 'runp':
        r = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=load(args[0], pb.PodSandboxConfig),
                                                     runtime_handler=args[1] if len(args) > 1 else ''),
                             timeout=timeout)
        print(r.pod_sandbox_id)
    elif cmd == 'create':
        r = rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=args[0],
                                                         config=load(args[1], pb.ContainerConfig),
                                                         sandbox_config=load(args[2], pb.PodSandboxConfig)),
                               timeout=timeout)
        print(r.container_id)
    elif cmd == 'start':
        rt.StartContainer(pb.StartContainerRequest(container_id=args[0]), timeout=timeout)
    elif cmd == 'stop':
        rt.StopContainer(pb.StopContainerRequest(container_id=args[0],
                                                 timeout=int(args[1]) if len(args) > 1 else 10),
                         timeout=timeout)
    elif cmd == 'rm':
        rt.RemoveContainer(pb.RemoveContainerRequest(container_id=args[0]), timeout=timeout)
    elif cmd == 'stopp':
        rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=args[0]), timeout=timeout)
    elif cmd == 'rmp':
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=args[0]), timeout=timeout)
    elif cmd == 'exec':
        r = rt.ExecSync(pb.ExecSyncRequest(container_id=args[0], timeout=int(args[1]), cmd=args[2:]),
                        timeout=int(args[1]) + timeout)
        sys.stdout.write(r.stdout.decode())
        sys.stdout.flush()
        sys.stderr.write(r.stderr.decode())
        return r.exit_code
    elif cmd == 'inspect':
        show(rt.ContainerStatus(pb.ContainerStatusRequest(container_id=args[0]), timeout=timeout))
    elif cmd == 'inspectp':
        show(rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=args[0]), timeout=timeout))
    elif cmd == 'ps':
        for c in rt.ListContainers(pb.ListContainersRequest(), timeout=timeout).containers:
            print(c.id)
    elif cmd == 'pods':
        for p in rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=timeout).items:
            print(p.id)
    else:
        sys.exit(f'cri_client: unknown command {cmd}\n{__doc__}')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as e:  # a gRPC error: one line, the status and the server's message
        code = getattr(e, 'code', None)
        details = getattr(e, 'details', None)
        if callable(code) and callable(details):
            sys.exit(f'cri_client: {code().name}: {details()}')
        raise

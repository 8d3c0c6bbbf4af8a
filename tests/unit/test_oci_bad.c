/* test_oci_bad.c: a table of invalid config.json documents, each with the exact message the
 * parser must give.  Documents are written with single quotes, turned into double quotes before
 * parsing, so the table stays readable.  B is the smallest valid prefix (version and root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "oci/oci.h"

#define B "{'ociVersion':'1.3.0','root':{'path':'r'}"

struct bad_config {
  const char *name;
  const char *json;
  const char *message;
};

static const struct bad_config bad[] = {
  {"invalid_json", "{'ociVersion': }",
   "config.json: invalid JSON at line 1, column 16: unallowed token at this point in JSON text"},
  {"empty_document", "",
   "config.json: invalid JSON: empty document"},
  {"top_level_array", "[]",
   "config.json: expected an object, got an array"},
  {"missing_oci_version", "{'root':{'path':'r'}}",
   "config.json: .ociVersion: missing required field"},
  {"oci_version_not_semver", "{'ociVersion':'1.0','root':{'path':'r'}}",
   "config.json: .ociVersion: expected a semantic version like \"1.3.0\", got \"1.0\""},
  {"oci_version_unsupported", "{'ociVersion':'2.0.0','root':{'path':'r'}}",
   "config.json: .ociVersion: unsupported version 2.0.0 (cove reads 1.x)"},
  {"oci_version_number", "{'ociVersion':1,'root':{'path':'r'}}",
   "config.json: .ociVersion: expected a string, got 1"},
  {"missing_root", "{'ociVersion':'1.3.0'}",
   "config.json: .root: missing required field"},
  {"root_path_missing", "{'ociVersion':'1.3.0','root':{}}",
   "config.json: .root.path: missing required field"},
  {"root_path_empty", "{'ociVersion':'1.3.0','root':{'path':''}}",
   "config.json: .root.path: must not be empty"},
  {"root_readonly_string", "{'ociVersion':'1.3.0','root':{'path':'r','readonly':'yes'}}",
   "config.json: .root.readonly: expected a boolean, got \"yes\""},
  {"mounts_not_array", B ",'mounts':{}}",
   "config.json: .mounts: expected an array, got an object"},
  {"mount_destination_relative", B ",'mounts':[{'destination':'proc','type':'proc'}]}",
   "config.json: .mounts[0].destination: expected an absolute path, got \"proc\""},
  {"mount_destination_missing", B ",'mounts':[{'type':'proc'}]}",
   "config.json: .mounts[0].destination: missing required field"},
  {"mount_option_not_string", B ",'mounts':[{'destination':'/p','options':['ro',1]}]}",
   "config.json: .mounts[0].options[1]: expected a string, got 1"},
  {"mount_uid_mappings_alone", B ",'mounts':[{'destination':'/p','uidMappings':[{'containerID':0,'hostID':1,'size':1}]}]}",
   "config.json: .mounts[0]: uidMappings and gidMappings must be given together"},
  {"mount_mapping_size_zero", B ",'mounts':[{'destination':'/p','uidMappings':[{'containerID':0,'hostID':1,'size':0}],'gidMappings':[]}]}",
   "config.json: .mounts[0].uidMappings[0].size: must be greater than 0"},
  {"process_args_missing", B ",'process':{'cwd':'/'}}",
   "config.json: .process.args: missing required field"},
  {"process_args_empty", B ",'process':{'args':[],'cwd':'/'}}",
   "config.json: .process.args: must not be empty"},
  {"process_cwd_relative", B ",'process':{'args':['sh'],'cwd':'home'}}",
   "config.json: .process.cwd: expected an absolute path, got \"home\""},
  {"process_cwd_missing", B ",'process':{'args':['sh']}}",
   "config.json: .process.cwd: missing required field"},
  {"process_env_without_equals", B ",'process':{'args':['sh'],'cwd':'/','env':['PATH=/bin','FOO']}}",
   "config.json: .process.env[1]: expected NAME=VALUE, got \"FOO\""},
  {"process_uid_negative", B ",'process':{'args':['sh'],'cwd':'/','user':{'uid':-1,'gid':0}}}",
   "config.json: .process.user.uid: expected an integer in 0..4294967295, got -1"},
  {"process_gid_too_large", B ",'process':{'args':['sh'],'cwd':'/','user':{'uid':0,'gid':4294967296}}}",
   "config.json: .process.user.gid: expected an integer in 0..4294967295, got 4294967296"},
  {"process_uid_missing", B ",'process':{'args':['sh'],'cwd':'/','user':{'gid':0}}}",
   "config.json: .process.user.uid: missing required field"},
  {"process_umask_too_large", B ",'process':{'args':['sh'],'cwd':'/','user':{'uid':0,'gid':0,'umask':512}}}",
   "config.json: .process.user.umask: expected an integer in 0..511, got 512"},
  {"capability_not_string", B ",'process':{'args':['sh'],'cwd':'/','capabilities':{'bounding':['CAP_KILL',7]}}}",
   "config.json: .process.capabilities.bounding[1]: expected a string, got 7"},
  {"capability_set_not_array", B ",'process':{'args':['sh'],'cwd':'/','capabilities':{'ambient':'CAP_KILL'}}}",
   "config.json: .process.capabilities.ambient: expected an array, got \"CAP_KILL\""},
  {"rlimit_unknown_type", B ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]}}",
   "config.json: .process.rlimits[0].type: unknown resource limit \"RLIMIT_FOO\""},
  {"rlimit_soft_above_hard", B ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_NOFILE','soft':2048,'hard':1024}]}}",
   "config.json: .process.rlimits[0]: soft limit 2048 is greater than hard limit 1024"},
  {"rlimit_duplicate", B ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]}}",
   "config.json: .process.rlimits[1].type: RLIMIT_NOFILE is given more than once"},
  {"rlimit_hard_missing", B ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_CORE','soft':1}]}}",
   "config.json: .process.rlimits[0].hard: missing required field"},
  {"oom_score_adj_out_of_range", B ",'process':{'args':['sh'],'cwd':'/','oomScoreAdj':1001}}",
   "config.json: .process.oomScoreAdj: expected an integer in -1000..1000, got 1001"},
  {"console_size_width_missing", B ",'process':{'args':['sh'],'cwd':'/','consoleSize':{'height':10}}}",
   "config.json: .process.consoleSize.width: missing required field"},
  {"io_priority_unknown_class", B ",'process':{'args':['sh'],'cwd':'/','ioPriority':{'class':'IOPRIO_CLASS_FAST','priority':1}}}",
   "config.json: .process.ioPriority.class: expected one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE, got \"IOPRIO_CLASS_FAST\""},
  {"io_priority_out_of_range", B ",'process':{'args':['sh'],'cwd':'/','ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}}}",
   "config.json: .process.ioPriority.priority: expected an integer in 0..7, got 8"},
  {"scheduler_unknown_policy", B ",'process':{'args':['sh'],'cwd':'/','scheduler':{'policy':'SCHED_FAST'}}}",
   "config.json: .process.scheduler.policy: expected one of SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE, got \"SCHED_FAST\""},
  {"scheduler_nice_out_of_range", B ",'process':{'args':['sh'],'cwd':'/','scheduler':{'policy':'SCHED_OTHER','nice':20}}}",
   "config.json: .process.scheduler.nice: expected an integer in -20..19, got 20"},
  {"scheduler_unknown_flag", B ",'process':{'args':['sh'],'cwd':'/','scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_TURBO']}}}",
   "config.json: .process.scheduler.flags[0]: expected one of SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN or SCHED_FLAG_UTIL_CLAMP_MAX, got \"SCHED_FLAG_TURBO\""},
  {"cpu_affinity_reversed_range", B ",'process':{'args':['sh'],'cwd':'/','execCPUAffinity':{'initial':'3-1'}}}",
   "config.json: .process.execCPUAffinity.initial: expected a CPU list like \"0-3,7\", got \"3-1\""},
  {"no_new_privileges_string", B ",'process':{'args':['sh'],'cwd':'/','noNewPrivileges':'true'}}",
   "config.json: .process.noNewPrivileges: expected a boolean, got \"true\""},
  {"hook_path_relative", B ",'hooks':{'prestart':[{'path':'bin/hook'}]}}",
   "config.json: .hooks.prestart[0].path: expected an absolute path, got \"bin/hook\""},
  {"hook_timeout_zero", B ",'hooks':{'poststop':[{'path':'/bin/hook','timeout':0}]}}",
   "config.json: .hooks.poststop[0].timeout: expected a positive number of seconds, got 0"},
  {"hooks_kind_not_array", B ",'hooks':{'createRuntime':{'path':'/bin/hook'}}}",
   "config.json: .hooks.createRuntime: expected an array, got an object"},
  {"annotation_value_number", B ",'annotations':{'com.example.count':1}}",
   "config.json: .annotations[\"com.example.count\"]: expected a string, got 1"},
  {"hostname_not_string", B ",'hostname':7}",
   "config.json: .hostname: expected a string, got 7"},
  {"hostname_without_uts_namespace", B ",'hostname':'box','linux':{'namespaces':[{'type':'pid'}]}}",
   "config.json: .hostname: setting it requires a uts namespace"},
  {"namespace_unknown_type", B ",'linux':{'namespaces':[{'type':'pid'},{'type':'net'}]}}",
   "config.json: .linux.namespaces[1].type: expected one of pid, network, mount, ipc, uts, user, cgroup or time, got \"net\""},
  {"namespace_duplicate", B ",'linux':{'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'pid'}]}}",
   "config.json: .linux.namespaces[2].type: namespace pid is given more than once"},
  {"namespace_path_relative", B ",'linux':{'namespaces':[{'type':'network','path':'run/netns/x'}]}}",
   "config.json: .linux.namespaces[0].path: expected an absolute path, got \"run/netns/x\""},
  {"userns_without_mappings", B ",'linux':{'namespaces':[{'type':'user'}]}}",
   "config.json: .linux.uidMappings: required with a new user namespace"},
  {"userns_without_gid_mappings", B ",'linux':{'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]}}",
   "config.json: .linux.gidMappings: required with a new user namespace"},
  {"mappings_without_userns", B ",'linux':{'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]}}",
   "config.json: .linux.uidMappings: set without a user namespace"},
  {"userns_path_with_mappings", B ",'linux':{'namespaces':[{'type':'user','path':'/proc/1/ns/user'}],'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]}}",
   "config.json: .linux.uidMappings: must not be set when joining a user namespace by path"},
  {"id_mapping_overflow", B ",'linux':{'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':4294967295,'size':2}]}}",
   "config.json: .linux.uidMappings[0]: range goes past 4294967295"},
  {"time_offsets_without_timens", B ",'linux':{'timeOffsets':{'monotonic':{'secs':1}}}}",
   "config.json: .linux.timeOffsets: set without a time namespace"},
  {"time_offsets_unknown_clock", B ",'linux':{'namespaces':[{'type':'time'}],'timeOffsets':{'realtime':{'secs':1}}}}",
   "config.json: .linux.timeOffsets.realtime: unknown clock (expected monotonic or boottime)"},
  {"time_offsets_joined_timens", B ",'linux':{'namespaces':[{'type':'time','path':'/proc/1/ns/time'}],'timeOffsets':{'boottime':{'secs':1}}}}",
   "config.json: .linux.timeOffsets: must not be set when joining a time namespace by path"},
  {"device_unknown_type", B ",'linux':{'devices':[{'path':'/dev/x','type':'x'}]}}",
   "config.json: .linux.devices[0].type: expected one of c, b, u or p, got \"x\""},
  {"device_major_missing", B ",'linux':{'devices':[{'path':'/dev/fuse','type':'c','minor':229}]}}",
   "config.json: .linux.devices[0].major: missing required field"},
  {"device_file_mode_too_large", B ",'linux':{'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':65536}]}}",
   "config.json: .linux.devices[0].fileMode: expected an integer in 0..65535, got 65536"},
  {"device_path_relative", B ",'linux':{'devices':[{'path':'dev/fuse','type':'c','major':10,'minor':229}]}}",
   "config.json: .linux.devices[0].path: expected an absolute path, got \"dev/fuse\""},
  {"memory_limit_string", B ",'linux':{'resources':{'memory':{'limit':'1G'}}}}",
   "config.json: .linux.resources.memory.limit: expected an integer, got \"1G\""},
  {"memory_limit_fraction", B ",'linux':{'resources':{'memory':{'limit':1.5}}}}",
   "config.json: .linux.resources.memory.limit: expected an integer, got 1.5"},
  {"memory_limit_below_minus_one", B ",'linux':{'resources':{'memory':{'limit':-2}}}}",
   "config.json: .linux.resources.memory.limit: expected an integer in -1..9223372036854775807, got -2"},
  {"memory_swappiness_out_of_range", B ",'linux':{'resources':{'memory':{'swappiness':101}}}}",
   "config.json: .linux.resources.memory.swappiness: expected an integer in 0..100, got 101"},
  {"device_rule_bad_access", B ",'linux':{'resources':{'devices':[{'allow':true,'access':'rwx'}]}}}",
   "config.json: .linux.resources.devices[0].access: expected a combination of r, w and m, got \"rwx\""},
  {"device_rule_allow_missing", B ",'linux':{'resources':{'devices':[{'access':'rwm'}]}}}",
   "config.json: .linux.resources.devices[0].allow: missing required field"},
  {"cpu_cpus_not_a_list", B ",'linux':{'resources':{'cpu':{'cpus':'all'}}}}",
   "config.json: .linux.resources.cpu.cpus: expected a CPU list like \"0-3,7\", got \"all\""},
  {"cpu_shares_negative", B ",'linux':{'resources':{'cpu':{'shares':-1}}}}",
   "config.json: .linux.resources.cpu.shares: expected an integer in 0..18446744073709551615, got -1"},
  {"pids_limit_string", B ",'linux':{'resources':{'pids':{'limit':'max'}}}}",
   "config.json: .linux.resources.pids.limit: expected an integer, got \"max\""},
  {"blkio_weight_device_major_missing", B ",'linux':{'resources':{'blockIO':{'weightDevice':[{'minor':0,'weight':10}]}}}}",
   "config.json: .linux.resources.blockIO.weightDevice[0].major: missing required field"},
  {"throttle_rate_missing", B ",'linux':{'resources':{'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}}}}",
   "config.json: .linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing required field"},
  {"hugepage_bad_size", B ",'linux':{'resources':{'hugepageLimits':[{'pageSize':'2M','limit':1}]}}}",
   "config.json: .linux.resources.hugepageLimits[0].pageSize: expected a size like \"2MB\", got \"2M\""},
  {"unified_key_with_slash", B ",'linux':{'resources':{'unified':{'../memory.max':'1'}}}}",
   "config.json: .linux.resources.unified[\"../memory.max\"]: not a cgroup file name"},
  {"sysctl_key_escapes", B ",'linux':{'sysctl':{'net/../../etc':'1'}}}",
   "config.json: .linux.sysctl[\"net/../../etc\"]: not a sysctl name like net.ipv4.ip_forward"},
  {"sysctl_empty_key", B ",'linux':{'sysctl':{'':'1'}}}",
   "config.json: .linux.sysctl[\"\"]: empty key"},
  {"sysctl_value_number", B ",'linux':{'sysctl':{'net.ipv4.ip_forward':1}}}",
   "config.json: .linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got 1"},
  {"seccomp_unknown_default_action", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_DENY'}}}",
   "config.json: .linux.seccomp.defaultAction: expected one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG or SCMP_ACT_NOTIFY, got \"SCMP_ACT_DENY\""},
  {"seccomp_default_action_missing", B ",'linux':{'seccomp':{'syscalls':[]}}}",
   "config.json: .linux.seccomp.defaultAction: missing required field"},
  {"seccomp_unknown_arch", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_Z80']}}}",
   "config.json: .linux.seccomp.architectures[0]: expected one of SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, SCMP_ARCH_S390, SCMP_ARCH_S390X, SCMP_ARCH_PARISC, SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64, SCMP_ARCH_LOONGARCH64, SCMP_ARCH_M68K, SCMP_ARCH_SH or SCMP_ARCH_SHEB, got \"SCMP_ARCH_Z80\""},
  {"seccomp_unknown_flag", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_FAST']}}}",
   "config.json: .linux.seccomp.flags[0]: expected one of SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW or SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, got \"SECCOMP_FILTER_FLAG_FAST\""},
  {"seccomp_names_empty", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],'action':'SCMP_ACT_ERRNO'}]}}}",
   "config.json: .linux.seccomp.syscalls[0].names: must not be empty"},
  {"seccomp_action_missing", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read']}]}}}",
   "config.json: .linux.seccomp.syscalls[0].action: missing required field"},
  {"seccomp_unknown_op", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_ABOUT'}]}]}}}",
   "config.json: .linux.seccomp.syscalls[0].args[0].op: expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ, got \"SCMP_CMP_ABOUT\""},
  {"seccomp_arg_index_out_of_range", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}}}",
   "config.json: .linux.seccomp.syscalls[0].args[0].index: expected an integer in 0..5, got 6"},
  {"seccomp_arg_value_negative", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':-1,'op':'SCMP_CMP_EQ'}]}]}}}",
   "config.json: .linux.seccomp.syscalls[0].args[0].value: expected an integer in 0..18446744073709551615, got -1"},
  {"seccomp_arg_value_too_large", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':18446744073709551616,'op':'SCMP_CMP_EQ'}]}]}}}",
   "config.json: .linux.seccomp.syscalls[0].args[0].value: expected an integer in 0..18446744073709551615, got 18446744073709551616"},
  {"seccomp_notify_without_listener", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}}}",
   "config.json: .linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY"},
  {"seccomp_errno_ret_with_allow", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','errnoRet':1}]}}}",
   "config.json: .linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW"},
  {"seccomp_default_notify", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/run/a.sock'}}}",
   "config.json: .linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
  {"seccomp_notify_write", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/run/a.sock','syscalls':[{'names':['getppid','write'],'action':'SCMP_ACT_NOTIFY'}]}}}",
   "config.json: .linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for `write`: the runtime needs it to hand the notify fd over"},
  {"rootfs_propagation_unknown", B ",'linux':{'rootfsPropagation':'bogus'}}",
   "config.json: .linux.rootfsPropagation: expected one of private, rprivate, shared, rshared, slave, rslave, unbindable or runbindable, got \"bogus\""},
  {"masked_path_relative", B ",'linux':{'maskedPaths':['/proc/kcore','proc/keys']}}",
   "config.json: .linux.maskedPaths[1]: expected an absolute path, got \"proc/keys\""},
  {"personality_unknown_domain", B ",'linux':{'personality':{'domain':'LINUX64'}}}",
   "config.json: .linux.personality.domain: expected one of LINUX or LINUX32, got \"LINUX64\""},
  {"personality_unknown_flag", B ",'linux':{'personality':{'domain':'LINUX','flags':['ADDR_NO_RANDOMIZE','FAST']}}}",
   "config.json: .linux.personality.flags[1]: expected one of UNAME26, ADDR_NO_RANDOMIZE, FDPIC_FUNCPTRS, MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC, ADDR_LIMIT_32BIT, SHORT_INODE, WHOLE_SECONDS, STICKY_TIMEOUTS or ADDR_LIMIT_3GB, got \"FAST\""},
  {"memory_policy_bind_without_nodes", B ",'linux':{'memoryPolicy':{'mode':'MPOL_BIND'}}}",
   "config.json: .linux.memoryPolicy.nodes: MPOL_BIND needs nodes"},
  {"memory_policy_default_with_nodes", B ",'linux':{'memoryPolicy':{'mode':'MPOL_DEFAULT','nodes':'0'}}}",
   "config.json: .linux.memoryPolicy.nodes: MPOL_DEFAULT takes no nodes"},
  {"net_device_bad_name", B ",'linux':{'netDevices':{'eth0/../x':{}}}}",
   "config.json: .linux.netDevices[\"eth0/../x\"]: not a valid interface name"},
  {"memory_policy_unknown_mode", B ",'linux':{'memoryPolicy':{'mode':'MPOL_FAST'}}}",
   "config.json: .linux.memoryPolicy.mode: expected one of MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, MPOL_PREFERRED_MANY or MPOL_LOCAL, got \"MPOL_FAST\""},
  {"intel_rdt_clos_id_path", B ",'linux':{'intelRdt':{'closID':'../x'}}}",
   "config.json: .linux.intelRdt.closID: must be a plain directory name"},
  {"linux_not_object", B ",'linux':[]}",
   "config.json: .linux: expected an object, got an array"},
  {"path_with_nul", "{'ociVersion':'1.3.0','root':{'path':'root\\u0000fs'}}",
   "config.json: .root.path: string contains a NUL character"},
  {"seccomp_metadata_without_listener", B ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','listenerMetadata':'x'}}}",
   "config.json: .linux.seccomp.listenerMetadata: set without listenerPath"},
  {"blkio_weight_device_without_weight", B ",'linux':{'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0}]}}}}",
   "config.json: .linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight"},
  {"rdma_entry_without_limits", B ",'linux':{'resources':{'rdma':{'mlx5_1':{}}}}}",
   "config.json: .linux.resources.rdma.mlx5_1: needs hcaHandles or hcaObjects"},
  {"cpu_burst_above_quota", B ",'linux':{'resources':{'cpu':{'quota':1000,'burst':2000}}}}",
   "config.json: .linux.resources.cpu.burst: 2000 is larger than quota 1000"},
  {"intel_rdt_mem_bw_schema_prefix", B ",'linux':{'intelRdt':{'memBwSchema':'L3:0=20'}}}",
   "config.json: .linux.intelRdt.memBwSchema: expected one line starting with \"MB:\""},
  {"process_not_object", B ",'process':['sh']}",
   "config.json: .process: expected an object, got an array"},
  {"mount_source_not_string", B ",'mounts':[{'destination':'/p','source':false}]}",
   "config.json: .mounts[0].source: expected a string, got false"},
};

static void check_message(const char *json, size_t len, const char *want)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_config *cfg = NULL;

  assert_int_equal(oci_config_parse("config.json", json, len, &cfg, &err), -1);
  assert_null(cfg);
  assert_non_null(err.msg);
  assert_string_equal(err.msg, want);
  cove_error_release(&err);
}

static void test_bad_config(void **state)
{
  const struct bad_config *b = *state;
  char *json = strdup(b->json);

  assert_non_null(json);
  for (char *p = json; *p; p++)
    if (*p == '\'')
      *p = '"';
  check_message(json, strlen(json), b->message);
  free(json);
}

/* Built at run time: too long or too binary for the table. */
static void test_nested_too_deeply(void **state)
{
  char json[200];
  (void) state;
  memset(json, '[', sizeof(json));
  check_message(json, sizeof(json), "config.json: invalid JSON at line 1, column 65: nested too deeply");
}

static void test_invalid_utf8(void **state)
{
  const char json[] = "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\xff\"}}";
  (void) state;
  check_message(json, strlen(json), "config.json: invalid JSON at line 1, column 40: invalid bytes in UTF8 string");
}

static void test_line_and_column(void **state)
{
  const char json[] = "{\n  \"ociVersion\": \"1.3.0\",\n  \"root\": {\"path\": \"r\",}\n}\n";
  (void) state;
  check_message(json, strlen(json), "config.json: invalid JSON at line 3, column 24: invalid object key (must be a string)");
}

static void test_truncated(void **state)
{
  const char json[] = "{\"ociVersion\": \"1.3.0\",\n\"root\": {";
  (void) state;
  check_message(json, strlen(json), "config.json: invalid JSON at line 2, column 10: premature EOF");
}

static void test_trailing_garbage(void **state)
{
  const char json[] = "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"}} {}";
  (void) state;
  check_message(json, strlen(json), "config.json: invalid JSON at line 1, column 44: trailing garbage");
}

static void test_too_large(void **state)
{
  (void) state;
  check_message("{}", (size_t) OCI_CONFIG_MAX_BYTES + 1, "config.json: larger than 16777216 bytes");
}

static void test_process_object_errors(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_process *p = NULL;
  const char *json = "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": \"root\", \"gid\": 0}}";
  (void) state;

  assert_int_equal(oci_process_parse("process.json", json, strlen(json), &p, &err), -1);
  assert_null(p);
  assert_string_equal(err.msg, "process.json: .user.uid: expected an integer, got \"root\"");
  cove_error_release(&err);
  assert_int_equal(oci_process_parse("process.json", "[1]", 3, &p, &err), -1);
  assert_string_equal(err.msg, "process.json: expected an object, got an array");
  cove_error_release(&err);
  json = "{\"cwd\": \"/\"}";
  assert_int_equal(oci_process_parse("process.json", json, strlen(json), &p, &err), -1);
  assert_string_equal(err.msg, "process.json: .args: missing required field");
  cove_error_release(&err);
}

static void test_load_missing_file(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_config *cfg = NULL;
  (void) state;
  assert_int_equal(oci_config_load("/nonexistent/config.json", &cfg, &err), -1);
  assert_string_equal(err.msg, "open `/nonexistent/config.json`: No such file or directory");
  cove_error_release(&err);
}

int main(void)
{
  struct CMUnitTest tests[sizeof(bad) / sizeof(bad[0]) + 8];
  size_t n = 0;

  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++, n++) {
    tests[n] = (struct CMUnitTest) cmocka_unit_test_prestate(test_bad_config, (void *) &bad[i]);
    tests[n].name = bad[i].name;
  }
  tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_nested_too_deeply);
  tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_invalid_utf8);
  tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_line_and_column);
  tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_truncated);
  tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_trailing_garbage);
  tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_too_large);
  tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_process_object_errors);
  tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_load_missing_file);
  if (n != sizeof(tests) / sizeof(tests[0]))
    return 1;
  return cmocka_run_group_tests_name("oci_bad_configs", tests, NULL, NULL);
}

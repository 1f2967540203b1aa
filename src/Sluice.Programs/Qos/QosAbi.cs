namespace Sluice.Programs.Qos;

// struct qos_action (QosActionValue), struct qos_counters, enum qos_action_flags and enum qos_class_name are generated
// from the object's BTF (namespace Sluice.Programs), with bpf/include/qos.h's comments as their docs.

/// <summary>Names and limits of bpf/qos.bpf.c and bpf/include/qos.h.</summary>
internal static class QosNames
{
    internal const string Application = "qos";
    internal const string Object = QosObject.ResourceName;
    internal const string Program = QosObject.ProgramNames.QosClassify;
    internal const string Actions = QosObject.MapNames.QosActions;
    internal const string Stats = QosObject.MapNames.QosStats;
    internal const uint DefaultSlot = TcApps.ClassifierNames.MaxRules;
}

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// Where IEditController::createView finds the editor (docs/vst3.md §11): the controller's one
/// <see cref="PlugView"/> (src/Editor renderer + src/EditorX11 embedding) for the view name
/// "editor", with one reference for the host; null for any other name or while it is open.
/// </summary>
internal static unsafe class EditorHook
{
    public static void* CreateView(Controller controller, byte* name) => controller.CreateEditorView(name);
}

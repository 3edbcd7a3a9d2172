"""Template context every page needs: the current workspace (when the URL names one) and its access."""


def shell(request):
    access = getattr(request, "access", None)
    return {"access": access, "current_workspace": getattr(access, "workspace", None)}

# The Sage 100 agent's COM bridge: a long-lived Windows PowerShell 5.1 host holding the COM objects of
# ProvideX.Script (pvxcom.exe) for the Node side, one JSON object per line over stdin/stdout.
# The Node side of the protocol is agent/src/bridge/protocol.ts; a test reads $ProtocolVersion and $Ops below.
$ErrorActionPreference = 'Stop'
$ProtocolVersion = 1
$Ops = 'create', 'call', 'get', 'set', 'release'

$utf8 = New-Object System.Text.UTF8Encoding $false
$reader = New-Object System.IO.StreamReader ([Console]::OpenStandardInput()), $utf8
$writer = New-Object System.IO.StreamWriter ([Console]::OpenStandardOutput()), $utf8
$writer.AutoFlush = $true
$objects = @{}
$nextHandle = 1

function Send($message) { $writer.WriteLine((ConvertTo-Json -InputObject $message -Compress -Depth 4)) }

# What functions hand back may be wrapped in a PSObject; COM needs the object itself, hence .psobject.BaseObject.
function Target($handle) {
  $object = $script:objects[[int]$handle]
  if ($null -eq $object) { throw "unknown handle $handle" }
  return $object
}

# COM objects cross to Node as handles; numbers go to Sage as doubles, as its BOI expects.
function Outgoing($value) {
  if ($value -is [System.__ComObject]) {
    $handle = $script:nextHandle; $script:nextHandle++
    $script:objects[$handle] = $value
    return @{ handle = $handle }
  }
  return $value
}
function Incoming($value) {
  if ($value -is [System.Management.Automation.PSCustomObject] -and $value.PSObject.Properties['handle']) { return Target $value.handle }
  if ($value -is [int] -or $value -is [long] -or $value -is [decimal]) { return [double]$value }
  return $value
}

Send @{ ready = $true; protocol = $ProtocolVersion }
while ($null -ne ($line = $reader.ReadLine())) {
  $id = $null; $byRef = @()
  try {
    $request = ConvertFrom-Json $line
    $id = $request.id
    if ($Ops -notcontains $request.op) { throw "unknown op $($request.op)" }
    $refs = @()
    switch ($request.op) {
      'create' { $value = Outgoing (New-Object -ComObject $request.progId) }
      'release' {
        [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject((Target $request.handle).psobject.BaseObject)
        $objects.Remove([int]$request.handle); $value = $null
      }
      default {
        $raw = @(); if ($null -ne $request.args) { $raw = @($request.args) }
        $callArgs = New-Object 'object[]' $raw.Count
        for ($i = 0; $i -lt $raw.Count; $i++) {
          $arg = $raw[$i]
          if ($arg -is [System.Management.Automation.PSCustomObject] -and $arg.PSObject.Properties['byRef']) { $byRef += $i; $arg = $arg.byRef }
          $incoming = Incoming $arg
          if ($null -ne $incoming) { $callArgs[$i] = $incoming.psobject.BaseObject }
        }
        $modifiers = $null
        if ($byRef.Count -gt 0) {
          $modifier = New-Object System.Reflection.ParameterModifier $raw.Count
          foreach ($i in $byRef) { $modifier[$i] = $true }
          $modifiers = [System.Reflection.ParameterModifier[]]@($modifier)
        }
        $flags = @{ call = 'InvokeMethod'; get = 'GetProperty'; set = 'SetProperty' }[$request.op]
        $target = (Target $request.handle).psobject.BaseObject
        $result = [System.__ComObject].InvokeMember($request.member, [System.Reflection.BindingFlags]$flags, $null, $target, $callArgs, $modifiers, $null, $null)
        $value = Outgoing $result
        $refs = @(foreach ($i in $byRef) { , (Outgoing $callArgs[$i]) })
      }
    }
    Send @{ id = $id; ok = $true; value = $value; refs = $refs }
  } catch {
    $cause = $_.Exception
    while ($null -ne $cause.InnerException) { $cause = $cause.InnerException }
    $failure = @{ message = $cause.Message; hresult = $cause.HResult }
    if ($byRef.Count -gt 0) { $failure.byRef = $true }
    Send @{ id = $id; ok = $false; error = $failure }
  }
}
foreach ($object in $objects.Values) { [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($object.psobject.BaseObject) }

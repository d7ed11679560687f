/**
 * A Pod as a user would write it for a cluster, using what kubelet runs around a container's
 * life: a native sidecar (an init container with restartPolicy Always) with a startup probe,
 * a readiness probe and a preStop sleep; a member with a startup probe on a named port, postStart
 * and preStop hooks and a termination message read from a file or the logs. Read by the
 * manifest, validation and Kubernetes renderer tests, and by the oracle (which checks that the
 * Pod PodGroup renders from it is the Pod the API server stores for it).
 */
export const SIDECAR_POD_MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: web-with-proxy
  labels:
    app: web
spec:
  terminationGracePeriodSeconds: 20
  initContainers:
    - name: migrate
      image: podgroup/toolbox:1.0.0
      command: ["sh", "-c", "echo migrated > /work/migrated"]
      volumeMounts:
        - name: work
          mountPath: /work
    - name: proxy
      image: podgroup/toolbox:1.0.0
      restartPolicy: Always
      command: ["sh", "-c", "mkdir -p /www && echo proxy > /www/index.html && exec httpd -f -p 9000 -h /www"]
      startupProbe:
        tcpSocket:
          port: 9000
        periodSeconds: 1
        failureThreshold: 30
      readinessProbe:
        httpGet:
          path: /
          port: 9000
      lifecycle:
        preStop:
          sleep:
            seconds: 2
  containers:
    - name: web
      image: podgroup/toolbox:1.0.0
      command: ["sh", "-c", "mkdir -p /www && echo web > /www/index.html && exec httpd -f -p 8080 -h /www"]
      ports:
        - name: http
          containerPort: 8080
      startupProbe:
        httpGet:
          path: /
          port: http
        periodSeconds: 1
        failureThreshold: 30
      livenessProbe:
        exec:
          command: ["true"]
      lifecycle:
        postStart:
          exec:
            command: ["sh", "-c", "echo started > /work/started"]
        preStop:
          httpGet:
            path: /shutdown
            port: 8080
      terminationMessagePath: /work/termination-log
      terminationMessagePolicy: FallbackToLogsOnError
      volumeMounts:
        - name: work
          mountPath: /work
  volumes:
    - name: work
      emptyDir: {}
`;
